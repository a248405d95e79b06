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

/* The child of fork in a multi-threaded parent may only make async-signal-safe
 * calls. Credentials go through raw syscalls (the child is single-threaded; glibc's
 * setuid() would do its all-threads dance). On failure the errno goes up the
 * close-on-exec error pipe; a successful execve closes it (EOF = started). */
static void child_after_fork(const ipf_spawn_request *req, pid_t parent, int error_fd) {
    int err;
    if (syscall(SYS_setsid) < 0) goto fail;
    if (req->stdin_fd >= 0 && dup2(req->stdin_fd, 0) < 0) goto fail;
    if (req->stdout_fd >= 0 && dup2(req->stdout_fd, 1) < 0) goto fail;
    if (req->stderr_fd >= 0 && dup2(req->stderr_fd, 2) < 0) goto fail;
    /* Everything else becomes close-on-exec, so only 0-2 reach the script while the
     * error pipe still works until execve. */
    if (syscall(SYS_close_range, 3U, ~0U, 4U /* CLOSE_RANGE_CLOEXEC */) < 0) {
        for (int fd = 3; fd < 4096; fd++) if (fd != error_fd) (void)close(fd);
    }
    if (req->change_credentials) {
        gid_t groups[1] = { req->gid };
        if (syscall(SYS_setgroups, 1, groups) < 0) goto fail;
        if (syscall(SYS_setresgid, req->gid, req->gid, req->gid) < 0) goto fail;
        if (syscall(SYS_setresuid, req->uid, req->uid, req->uid) < 0) goto fail;
    }
    if (req->parent_death_signal > 0) {
        /* After the credential change, which clears the parent-death signal. */
        if (syscall(SYS_prctl, PR_SET_PDEATHSIG, (unsigned long)req->parent_death_signal, 0UL, 0UL, 0UL) < 0) goto fail;
        if (getppid() != parent) { errno = ESRCH; goto fail; }
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
    err = errno ? errno : EINVAL;
    (void)write(error_fd, &err, sizeof err);
    _exit(127);
}

/* fork, not vfork/posix_spawn: with CLONE_VFORK the parent thread is suspended until
 * execve returns, and an execve stuck on a hung filesystem would wedge the one
 * supervisor thread that runs every script. */
int ipf_spawn(const ipf_spawn_request *req, int *pidfd_out, int *error_fd_out, pid_t *unwatched_out) {
    int errpipe[2];
    if (pipe2(errpipe, O_CLOEXEC) < 0) return -errno;
    sigset_t all, old;
    pid_t parent = getpid();
    sigfillset(&all);
    /* No signal handler of ours may run in the child. */
    pthread_sigmask(SIG_SETMASK, &all, &old);
    pid_t pid = fork();
    if (pid == 0) {
        close(errpipe[0]);
        child_after_fork(req, parent, errpipe[1]);
        _exit(127);
    }
    int saved = errno;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    close(errpipe[1]);
    if (pid < 0) { close(errpipe[0]); return -saved; }
    int fd = ipf_pidfd_open(pid);
    if (fd < 0) {
        /* Cannot supervise it: do not leave it running unsupervised. Never wait for it
         * here (a child stuck in the kernel ignores SIGKILL for as long as it likes):
         * the caller reaps it later, without waiting, by the pid it gets back. */
        kill(pid, SIGKILL);
        int status;
        if (waitpid(pid, &status, WNOHANG) == 0 && unwatched_out) *unwatched_out = pid;
        close(errpipe[0]);
        return fd;
    }
    int flags = fcntl(errpipe[0], F_GETFL);
    (void)fcntl(errpipe[0], F_SETFL, flags | O_NONBLOCK);
    *pidfd_out = fd;
    *error_fd_out = errpipe[0];
    return pid;
}

int ipf_reap(int pidfd, int *exited, int *value) {
    siginfo_t info;
    memset(&info, 0, sizeof info);
    /* WNOHANG: a zombie traced by another process is reapable only once its tracer
     * has waited for it or detached, which may be never. */
    if (waitid((idtype_t)P_PIDFD, (id_t)pidfd, &info, WEXITED | WNOHANG) < 0) return -errno;
    if (info.si_pid == 0) return 1;
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
