#ifndef IPF_CPROCESSSPAWN_H
#define IPF_CPROCESSSPAWN_H

#include <sys/types.h>
#include <stdint.h>

/// Everything the child needs until its execve, prepared by the parent so the child
/// only makes raw system calls.
typedef struct {
    const char *path;            ///< absolute path passed to execve
    char *const *argv;           ///< NULL-terminated
    char *const *envp;           ///< NULL-terminated
    int stdin_fd;                ///< dup2'ed to 0
    int stdout_fd;               ///< dup2'ed to 1
    int stderr_fd;               ///< dup2'ed to 2
    int change_credentials;      ///< non-zero: setgroups({gid}), setresgid(gid), setresuid(uid)
    uid_t uid;
    gid_t gid;
    int parent_death_signal;     ///< 0 = none; set after the credential change (which clears it)
    int use_fork;                ///< non-zero: fork instead of clone(CLONE_VM), for tools
                                 ///< that cannot follow a CLONE_VM child (valgrind)
} ipf_spawn_request;

/// Starts `req->path` in a new session (so a new process group whose id is the pid)
/// with clone(CLONE_VM): no copy of this process's page tables, no copy-on-write
/// afterwards, and the calling thread never waits for the child. Returns the pid
/// (> 0), a pidfd in `*pidfd_out`, the non-blocking read end of the exec-error pipe
/// in `*error_fd_out` (EOF = exec succeeded; an int = the errno of a failed
/// setup/exec, after which the child exits 127) and the child's arena (its stack and
/// a copy of the request) in `*arena_out`; or returns -errno. `req` may be freed on
/// return; the arena must stay until the child has exec'd or exited — EOF on the
/// error pipe, or the pidfd readable — then `ipf_spawn_release` it.
int ipf_spawn(const ipf_spawn_request *req, int *pidfd_out, int *error_fd_out, void **arena_out);

/// Unmaps a child's arena (NULL: nothing).
void ipf_spawn_release(void *arena);

/// Reaps the process behind `pidfd` without waiting. Returns 0 and sets `*exited`
/// (1 = exit status in `*value`, 0 = killed by signal `*value`); 1 when it cannot be
/// reaped yet (still running, or a zombie held by a tracer); or -errno.
int ipf_reap(int pidfd, int *exited, int *value);

/// pidfd_open(2); -errno on failure.
int ipf_pidfd_open(pid_t pid);

/// prctl(PR_SET_CHILD_SUBREAPER, 1): orphans of our scripts are re-parented to us so we
/// can reap them even when PID 1 does not. Returns 0 or -errno.
int ipf_become_child_subreaper(void);

/// pipe2(O_CLOEXEC | O_NONBLOCK on the read end only when `nonblocking_read`).
int ipf_pipe(int fds[2], int nonblocking_read);

/// setns(fd, CLONE_NEWNET) for the calling thread; 0 or -errno.
int ipf_setns_net(int fd);

#endif
