// Kernel headers and macro wrappers Swift's Glibc module does not expose:
// rtnetlink, AF_PACKET, ARP constants and the CMSG_*/NLMSG_*/RTA_* macros.
#ifndef CLINUXSHIM_H
#define CLINUXSHIM_H

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <sys/timerfd.h>
#include <sys/eventfd.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip6.h>
#include <netinet/icmp6.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <netpacket/packet.h>
#include <linux/if_ether.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <spawn.h>
#include <string.h>
#include <errno.h>

#ifndef SO_BINDTOIFINDEX
#define SO_BINDTOIFINDEX 62
#endif
#ifndef IP_MULTICAST_ALL
#define IP_MULTICAST_ALL 49
#endif
#ifndef IPV6_MULTICAST_ALL
#define IPV6_MULTICAST_ALL 29
#endif
// The kernel's "do not send, only probe the path" flag; glibc calls 0x10 MSG_PROXY.
#ifndef MSG_PROBE
#define MSG_PROBE 0x10
#endif
// fcntl's lease command, Linux-specific (glibc shows it only with _GNU_SOURCE).
#ifndef F_SETLEASE
#define F_SETLEASE 1024
#endif
#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif
#ifndef NETLINK_GET_STRICT_CHK
#define NETLINK_GET_STRICT_CHK 12
#endif

// Constants re-exported as values: some of these are macros over enums or
// expressions that Swift does not import reliably in every build mode.
static const int clinux_SO_BINDTOIFINDEX = SO_BINDTOIFINDEX;
// Expressions over sizeof(time_t) in glibc's headers: 64-bit struct timespec stamps.
static const int clinux_SO_TIMESTAMPNS = SO_TIMESTAMPNS;
static const int clinux_SCM_TIMESTAMPNS = SCM_TIMESTAMPNS;
static const int clinux_SO_RXQ_OVFL = SO_RXQ_OVFL;
static const int clinux_TFD_CLOEXEC = TFD_CLOEXEC;
static const int clinux_TFD_TIMER_ABSTIME = TFD_TIMER_ABSTIME;
static const int clinux_EFD_CLOEXEC = EFD_CLOEXEC;
static const int clinux_NETLINK_EXT_ACK = NETLINK_EXT_ACK;
static const int clinux_IP_MULTICAST_ALL = IP_MULTICAST_ALL;
static const int clinux_IPV6_MULTICAST_ALL = IPV6_MULTICAST_ALL;
static const int clinux_ETH_P_ARP = ETH_P_ARP;
static const int clinux_ETH_P_ALL = ETH_P_ALL;
static const int clinux_IFA_PROTO = IFA_PROTO;
static const int clinux_IPV6_RECVHOPLIMIT = IPV6_RECVHOPLIMIT;
static const int clinux_IPV6_RECVPKTINFO = IPV6_RECVPKTINFO;
static const int clinux_IPV6_HOPLIMIT = IPV6_HOPLIMIT;
static const int clinux_IPV6_PKTINFO = IPV6_PKTINFO;
static const int clinux_IPV6_CHECKSUM = IPV6_CHECKSUM;
static const int clinux_IP_PKTINFO = IP_PKTINFO;
static const int clinux_MSG_DONTWAIT = MSG_DONTWAIT;
static const int clinux_MSG_PROBE = MSG_PROBE;
static const int clinux_MSG_TRUNC = MSG_TRUNC;
static const int clinux_MSG_CTRUNC = MSG_CTRUNC;
static const int clinux_SOCK_RAW = SOCK_RAW;
static const int clinux_SOCK_DGRAM = SOCK_DGRAM;
static const int clinux_SOCK_CLOEXEC = SOCK_CLOEXEC;
static const int clinux_SOCK_STREAM = SOCK_STREAM;
static const int clinux_SOCK_NONBLOCK = SOCK_NONBLOCK;
static const int clinux_F_SETLEASE = F_SETLEASE;

/// `struct in6_pktinfo` (glibc hides it behind _GNU_SOURCE), RFC 3542 layout.
struct clinux_in6_pktinfo {
    struct in6_addr ipi6_addr;
    unsigned int ipi6_ifindex;
};

// --- control messages ---------------------------------------------------
// glibc 2.34+ declares this only under _GNU_SOURCE, which the Glibc module lacks.
extern int posix_spawn_file_actions_addclosefrom_np(posix_spawn_file_actions_t *actions, int from);
static inline int clinux_spawn_add_closefrom(posix_spawn_file_actions_t *actions, int from) {
    return posix_spawn_file_actions_addclosefrom_np(actions, from);
}

static inline size_t clinux_cmsg_space(size_t len) { return CMSG_SPACE(len); }
static inline size_t clinux_cmsg_len(size_t len) { return CMSG_LEN(len); }
static inline struct cmsghdr *clinux_cmsg_firsthdr(struct msghdr *m) { return CMSG_FIRSTHDR(m); }
static inline struct cmsghdr *clinux_cmsg_nxthdr(struct msghdr *m, struct cmsghdr *c) { return CMSG_NXTHDR(m, c); }
static inline unsigned char *clinux_cmsg_data(struct cmsghdr *c) { return CMSG_DATA(c); }

// --- netlink --------------------------------------------------------------
static inline size_t clinux_nlmsg_align(size_t len) { return NLMSG_ALIGN(len); }
static inline size_t clinux_nlmsg_hdrlen(void) { return NLMSG_HDRLEN; }
static inline size_t clinux_rta_align(size_t len) { return RTA_ALIGN(len); }

/// The hardware address of `name` (6 bytes for Ethernet) in the calling thread's
/// network namespace; returns 0 or -errno.
int clinux_get_hwaddr(const char *name, unsigned char out[6]);

/// `setns(fd, CLONE_NEWNET)`, declared here because glibc only exposes it
/// under _GNU_SOURCE, which Swift's Glibc module does not set.
int clinux_setns_net(int fd);
/// Names the calling thread (visible in top -H, /proc/PID/task/*/comm); 15 chars max.
void clinux_name_thread(const char *name);

/// accept4(fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK): the descriptor, or -errno.
int clinux_accept_cloexec(int fd);
/// The PID of a connected Unix socket's peer (SO_PEERCRED), or -errno.
int clinux_peer_pid(int fd);

/// `struct mmsghdr` (glibc declares it only under _GNU_SOURCE).
struct clinux_mmsghdr {
    struct msghdr msg_hdr;
    unsigned int msg_len;
};
/// recvmmsg(fd, vector, count, flags, NULL): the number of messages, or -errno.
int clinux_recvmmsg(int fd, struct clinux_mmsghdr *vector, unsigned int count, int flags);
/// sendmmsg(fd, vector, count, flags): the number of messages sent, or -errno.
int clinux_sendmmsg(int fd, struct clinux_mmsghdr *vector, unsigned int count, int flags);

#endif
