#define _GNU_SOURCE
#include "CProcessSpawn.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <sched.h>
#include <sys/mman.h>
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

/* ThreadSanitizer's runtime cannot follow a CLONE_VM child (its clone handling
 * corrupts the parent's thread state: CHECK failures in the next intercepted call),
 * so a build with it starts scripts with fork. The shipped build is not one. */
#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define IPF_SPAWN_WITH_FORK 1
#endif
#endif
#ifndef IPF_SPAWN_WITH_FORK
#define IPF_SPAWN_WITH_FORK 0
#endif

/* Everything the child runs is left uninstrumented by the sanitizers: their runtime
 * keeps per-thread state behind the TLS pointer the child shares with a running thread. */
#define CHILD_SIDE __attribute__((disable_sanitizer_instrumentation, no_stack_protector))

/* The child shares our memory (CLONE_VM) until its execve, runs on a stack of its
 * own and keeps the calling thread's TLS pointer, while this process goes on. So it
 * makes raw system calls only: a libc wrapper would write errno into the TLS of the
 * supervisor thread, which is running at the same time. */
CHILD_SIDE static inline long raw_syscall(long n, long a, long b, long c, long d, long e) {
#if defined(__x86_64__)
    register long r10 __asm__("r10") = d;
    register long r8 __asm__("r8") = e;
    long ret;
    __asm__ volatile ("syscall" : "=a"(ret) : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8)
                      : "rcx", "r11", "memory");
    return ret;
#elif defined(__aarch64__)
    register long x8 __asm__("x8") = n;
    register long x0 __asm__("x0") = a;
    register long x1 __asm__("x1") = b;
    register long x2 __asm__("x2") = c;
    register long x3 __asm__("x3") = d;
    register long x4 __asm__("x4") = e;
    __asm__ volatile ("svc 0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4) : "memory");
    return x0;
#else
#error "raw_syscall: unsupported architecture"
#endif
}

/* The kernel's struct sigaction (not glibc's). */
struct kernel_sigaction {
    void *handler;
    unsigned long flags;
    void *restorer;
    unsigned long mask;
};

/* Everything the child reads, copied into the arena: the request's own memory may be
 * freed while the child still runs. */
typedef struct {
    const char *path;
    char **argv;
    char **envp;
    int stdin_fd, stdout_fd, stderr_fd;
    int change_credentials;
    uid_t uid;
    gid_t gid;
    int parent_death_signal;
    pid_t parent;
    int error_fd;
    size_t arena_size;  /* for ipf_spawn_release; the child does not read it */
} child_plan;

CHILD_SIDE static void child_fail(const child_plan *plan, long result) {
    int err = result < 0 ? (int)-result : EINVAL;
    (void)raw_syscall(SYS_write, plan->error_fd, (long)&err, sizeof err, 0, 0);
    for (;;) (void)raw_syscall(SYS_exit, 127, 0, 0, 0, 0);
}

/* dup2 without dup2 (aarch64 has only dup3, which refuses old == new). */
CHILD_SIDE static long child_dup_to(int from, int to) {
    if (from == to) return raw_syscall(SYS_fcntl, to, F_SETFD, 0, 0, 0);
    return raw_syscall(SYS_dup3, from, to, 0, 0, 0);
}

/* On failure the errno goes up the close-on-exec error pipe; a successful execve
 * closes it (EOF = started). */
CHILD_SIDE static int child_main(void *arg) {
    const child_plan *plan = arg;
    long r;
    if ((r = raw_syscall(SYS_setsid, 0, 0, 0, 0, 0)) < 0) child_fail(plan, r);
    if (plan->stdin_fd >= 0 && (r = child_dup_to(plan->stdin_fd, 0)) < 0) child_fail(plan, r);
    if (plan->stdout_fd >= 0 && (r = child_dup_to(plan->stdout_fd, 1)) < 0) child_fail(plan, r);
    if (plan->stderr_fd >= 0 && (r = child_dup_to(plan->stderr_fd, 2)) < 0) child_fail(plan, r);
    /* Everything else becomes close-on-exec, so only 0-2 reach the script while the
     * error pipe still works until execve. */
    if (raw_syscall(SYS_close_range, 3, ~0U, 4 /* CLOSE_RANGE_CLOEXEC */, 0, 0) < 0) {
        for (int fd = 3; fd < 4096; fd++) if (fd != plan->error_fd) (void)raw_syscall(SYS_close, fd, 0, 0, 0, 0);
    }
    if (plan->change_credentials) {
        gid_t groups[1] = { plan->gid };
        if ((r = raw_syscall(SYS_setgroups, 1, (long)groups, 0, 0, 0)) < 0) child_fail(plan, r);
        if ((r = raw_syscall(SYS_setresgid, plan->gid, plan->gid, plan->gid, 0, 0)) < 0) child_fail(plan, r);
        if ((r = raw_syscall(SYS_setresuid, plan->uid, plan->uid, plan->uid, 0, 0)) < 0) child_fail(plan, r);
    }
    if (plan->parent_death_signal > 0) {
        /* After the credential change, which clears the parent-death signal. */
        if ((r = raw_syscall(SYS_prctl, PR_SET_PDEATHSIG, plan->parent_death_signal, 0, 0, 0)) < 0) child_fail(plan, r);
        if (raw_syscall(SYS_getppid, 0, 0, 0, 0, 0) != plan->parent) child_fail(plan, -ESRCH);
    }
    /* Default dispositions, then an empty mask: scripts must not inherit ours, and
     * none of our handlers may run here. */
    struct kernel_sigaction dfl = { SIG_DFL, 0, 0, 0 };
    for (int sig = 1; sig <= 64; sig++) {
        if (sig == SIGKILL || sig == SIGSTOP) continue;
        (void)raw_syscall(SYS_rt_sigaction, sig, (long)&dfl, 0, sizeof dfl.mask, 0);
    }
    unsigned long empty = 0;
    (void)raw_syscall(SYS_rt_sigprocmask, SIG_SETMASK, (long)&empty, 0, sizeof empty, 0);
    r = raw_syscall(SYS_execve, (long)plan->path, (long)plan->argv, (long)plan->envp, 0, 0);
    child_fail(plan, r);
    return 127;
}

/* The child's stack, above the plan and the copied strings. */
enum { child_stack_size = 32 * 1024 };

static size_t string_array_size(char *const *array, size_t *count) {
    size_t bytes = 0, n = 0;
    for (; array && array[n]; n++) bytes += strlen(array[n]) + 1;
    *count = n;
    return bytes + (n + 1) * sizeof(char *);
}

static char *copy_string_array(char **to, char *strings, char *const *array, size_t count) {
    for (size_t i = 0; i < count; i++) {
        size_t length = strlen(array[i]) + 1;
        memcpy(strings, array[i], length);
        to[i] = strings;
        strings += length;
    }
    to[count] = NULL;
    return strings;
}

/* clone(CLONE_VM), neither fork nor vfork. fork copies the page tables of the whole
 * daemon and leaves every page copy-on-write, so the daemon takes a page fault on each
 * page it writes afterwards — most of what a check run cost a node. vfork suspends the
 * calling thread until execve returns, and an execve stuck on a hung filesystem would
 * wedge the one supervisor thread that runs every script. With CLONE_VM alone this
 * thread goes on at once; the child uses only the arena, released by the caller once
 * the child has exec'd or exited (`ipf_spawn_release`). */
int ipf_spawn(const ipf_spawn_request *req, int *pidfd_out, int *error_fd_out, void **arena_out) {
    size_t argc, envc;
    size_t path_size = strlen(req->path) + 1;
    size_t data = sizeof(child_plan) + string_array_size(req->argv, &argc)
        + string_array_size(req->envp, &envc) + path_size;
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    size_t size = ((data + 15) / 16 * 16 + child_stack_size + page - 1) / page * page;
    void *arena = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (arena == MAP_FAILED) return -errno;
    /* The plan at the bottom, then what it points to; the stack grows down from the top. */
    child_plan *plan = (child_plan *)arena;
    char **argv = (char **)(plan + 1);
    char **envp = argv + argc + 1;
    char *strings = (char *)(envp + envc + 1);
    strings = copy_string_array(argv, strings, req->argv, argc);
    strings = copy_string_array(envp, strings, req->envp, envc);
    memcpy(strings, req->path, path_size);
    *plan = (child_plan){
        .path = strings, .argv = argv, .envp = envp,
        .stdin_fd = req->stdin_fd, .stdout_fd = req->stdout_fd, .stderr_fd = req->stderr_fd,
        .change_credentials = req->change_credentials, .uid = req->uid, .gid = req->gid,
        .parent_death_signal = req->parent_death_signal, .parent = getpid(), .error_fd = -1, .arena_size = size,
    };
    int errpipe[2];
    if (pipe2(errpipe, O_CLOEXEC) < 0) { int e = errno; munmap(arena, size); return -e; }
    plan->error_fd = errpipe[1];
    /* Every signal blocked (glibc's internal ones too, hence the raw call): none of our
     * handlers may run in the child before it resets them. */
    unsigned long all = ~0UL, old = 0;
    (void)raw_syscall(SYS_rt_sigprocmask, SIG_SETMASK, (long)&all, (long)&old, sizeof all, 0);
    int pidfd = -1;
    char *stack_top = (char *)arena + size;
    pid_t pid;
    if (req->use_fork || IPF_SPAWN_WITH_FORK) {
        /* fork with its pidfd in the same call: a copy of our memory, our stack (no
         * stack argument), nothing of glibc's fork (the child makes raw calls only).
         * valgrind follows it as a fork and passes CLONE_PIDFD through, where it has
         * no pidfd_open. */
        pid = (pid_t)syscall(SYS_clone, (long)(CLONE_PIDFD | SIGCHLD), 0L, (long)&pidfd, 0L, 0L);
        if (pid == 0) child_main(plan);
    } else {
        pid = clone(child_main, stack_top, CLONE_VM | CLONE_PIDFD | SIGCHLD, plan, &pidfd);
    }
    int saved = errno;
    (void)raw_syscall(SYS_rt_sigprocmask, SIG_SETMASK, (long)&old, 0, sizeof old, 0);
    close(errpipe[1]);
    if (pid < 0) { close(errpipe[0]); munmap(arena, size); return -saved; }
    int flags = fcntl(errpipe[0], F_GETFL);
    (void)fcntl(errpipe[0], F_SETFL, flags | O_NONBLOCK);
    *pidfd_out = pidfd;
    *error_fd_out = errpipe[0];
    *arena_out = arena;
    return pid;
}

void ipf_spawn_release(void *arena) {
    if (arena) munmap(arena, ((child_plan *)arena)->arena_size);
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
