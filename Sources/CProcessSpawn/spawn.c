#define _GNU_SOURCE
#include "CProcessSpawn.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>

#ifndef P_PIDFD
#define P_PIDFD 3
#endif
#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_close_range
#define SYS_close_range 436
#endif

int ipf_pidfd_open(pid_t pid) {
    long fd = syscall(SYS_pidfd_open, pid, 0);
    return fd < 0 ? -errno : (int)fd;
}

/* The child of vfork shares our memory until execve/_exit: it may only make raw
 * system calls and write `child_errno`. Credentials go through raw syscalls because
 * glibc's setuid() would try to broadcast to the parent's threads. */
static void child_after_vfork(const ipf_spawn_request *req, pid_t parent, volatile int *child_errno) {
    if (syscall(SYS_setsid) < 0) goto fail;
    if (req->stdin_fd >= 0 && dup2(req->stdin_fd, 0) < 0) goto fail;
    if (req->stdout_fd >= 0 && dup2(req->stdout_fd, 1) < 0) goto fail;
    if (req->stderr_fd >= 0 && dup2(req->stderr_fd, 2) < 0) goto fail;
    if (syscall(SYS_close_range, 3U, ~0U, 0U) < 0) {
        for (int fd = 3; fd < 4096; fd++) (void)close(fd);
    }
    if (req->change_credentials) {
        gid_t groups[1] = { req->gid };
        if (syscall(SYS_setgroups, 1, groups) < 0) goto fail;
        if (syscall(SYS_setresgid, req->gid, req->gid, req->gid) < 0) goto fail;
        if (syscall(SYS_setresuid, req->uid, req->uid, req->uid) < 0) goto fail;
    }
    if (req->parent_death_signal > 0) {
        if (syscall(SYS_prctl, PR_SET_PDEATHSIG, (unsigned long)req->parent_death_signal, 0UL, 0UL, 0UL) < 0) goto fail;
        if (getppid() != parent) { *child_errno = ESRCH; _exit(127); }
    }
    /* Default dispositions and an empty mask: scripts must not inherit ours. */
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    for (int sig = 1; sig < NSIG; sig++) {
        if (sig == SIGKILL || sig == SIGSTOP) continue;
        (void)sigaction(sig, &dfl, NULL);
    }
    sigset_t empty;
    sigemptyset(&empty);
    (void)sigprocmask(SIG_SETMASK, &empty, NULL);
    execve(req->path, req->argv, req->envp);
fail:
    *child_errno = errno ? errno : EINVAL;
    _exit(127);
}

int ipf_spawn(const ipf_spawn_request *req, int *pidfd_out) {
    sigset_t all, old;
    volatile int child_errno = 0;
    pid_t parent = getpid();
    sigfillset(&all);
    /* No signal handler of ours may run in the vfork child. */
    pthread_sigmask(SIG_SETMASK, &all, &old);
    pid_t pid = vfork();
    if (pid == 0) {
        child_after_vfork(req, parent, &child_errno);
        _exit(127);
    }
    int saved = errno;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (pid < 0) return -saved;
    if (child_errno != 0) {
        int status;
        (void)waitpid(pid, &status, 0);
        return -child_errno;
    }
    int fd = ipf_pidfd_open(pid);
    if (fd < 0) {
        /* Cannot supervise it: do not leave it running unsupervised. */
        kill(-pid, SIGKILL);
        int status;
        (void)waitpid(pid, &status, 0);
        return fd;
    }
    *pidfd_out = fd;
    return pid;
}

int ipf_reap(int pidfd, int *exited, int *value) {
    siginfo_t info;
    memset(&info, 0, sizeof info);
    if (waitid((idtype_t)P_PIDFD, (id_t)pidfd, &info, WEXITED) < 0) return -errno;
    if (info.si_code == CLD_EXITED) { *exited = 1; *value = info.si_status; }
    else { *exited = 0; *value = info.si_status; }
    return 0;
}

int ipf_become_child_subreaper(void) {
    return prctl(PR_SET_CHILD_SUBREAPER, 1UL, 0UL, 0UL, 0UL) < 0 ? -errno : 0;
}

int ipf_pipe(int fds[2], int nonblocking_read) {
    if (pipe2(fds, O_CLOEXEC) < 0) return -errno;
    if (nonblocking_read) {
        int flags = fcntl(fds[0], F_GETFL);
        if (flags < 0 || fcntl(fds[0], F_SETFL, flags | O_NONBLOCK) < 0) {
            int e = errno; close(fds[0]); close(fds[1]); return -e;
        }
    }
    return 0;
}

int ipf_setns_net(int fd) {
    return setns(fd, CLONE_NEWNET) < 0 ? -errno : 0;
}
