#define _GNU_SOURCE 1
#include <sched.h>
#include <pthread.h>
#include "CLinuxShim.h"
#include <unistd.h>
#include <sys/syscall.h>

int clinux_get_hwaddr(const char *name, unsigned char out[6]) {
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -errno;
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    strncpy(ifr.ifr_name, name, IFNAMSIZ - 1);
    int rc = ioctl(fd, SIOCGIFHWADDR, &ifr);
    int err = errno;
    close(fd);
    if (rc < 0) return -err;
    memcpy(out, ifr.ifr_hwaddr.sa_data, 6);
    return 0;
}

int clinux_setns_net(int fd) {
    return setns(fd, CLONE_NEWNET) == 0 ? 0 : -errno;
}

void clinux_name_thread(const char *name) {
    pthread_setname_np(pthread_self(), name);
}

int clinux_accept_cloexec(int fd) {
    int rc = accept4(fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
    return rc < 0 ? -errno : rc;
}

int clinux_peer_pid(int fd) {
    struct ucred credentials;
    socklen_t length = sizeof credentials;
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &credentials, &length) < 0) return -errno;
    return credentials.pid;
}

int clinux_recvmmsg(int fd, struct clinux_mmsghdr *vector, unsigned int count, int flags) {
    long n = syscall(SYS_recvmmsg, fd, vector, count, flags, NULL);
    return n < 0 ? -errno : (int)n;
}

int clinux_sendmmsg(int fd, struct clinux_mmsghdr *vector, unsigned int count, int flags) {
    long n = syscall(SYS_sendmmsg, fd, vector, count, flags);
    return n < 0 ? -errno : (int)n;
}
