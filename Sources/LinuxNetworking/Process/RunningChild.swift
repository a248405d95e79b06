import CProcessSpawn
import FailoverRuntime
import Glibc

/// Supervisor-thread bookkeeping for one launched command.
///
/// ```
///  running ──timeout──▶ SIGTERM ──grace──▶ SIGKILL
///     │                                        │
///     └──── pidfd readable (leader exited) ◀───┘
///              │ kill the rest of the group, reap the leader (WNOHANG;
///              │ a traced zombie is retried on a timer)
///              ▼
///           settle strays (≤ 2 s) ──▶ complete
///  at timeout + grace + abandonAfter, whatever is unfinished: complete as abandoned
/// ```
struct RunningChild {
    /// Leader pid = process group id = session id (the child called setsid).
    let pid: pid_t
    var pidfd: Int32
    var stdoutFD: Int32
    var stderrFD: Int32
    /// Read end of the exec-error pipe (EOF once execve succeeded).
    var errorFD: Int32
    /// errno of a failed setup/exec in the child.
    var execError: Int32?
    /// The child's stack and copy of the request (`ipf_spawn`), until it has exec'd or exited.
    var arena: UnsafeMutableRawPointer?
    let executablePath: String
    let start: ContinuousClock.Instant
    let termDeadline: ContinuousClock.Instant
    let killGrace: Duration
    /// The run completes by then, whatever the kernel does with the process.
    let abandonDeadline: ContinuousClock.Instant
    let continuation: CheckedContinuation<LaunchOutcome, Never>

    var timedOut = false
    var killDeadline: ContinuousClock.Instant?
    var killSent = false
    /// The leader's pidfd became readable: it has exited (it may still await reaping).
    var leaderExited = false
    /// The leader was reaped: `termination` is its real end.
    var reaped = false
    /// When to try reaping again a leader that exited but could not be reaped (traced).
    var nextReapAttempt: ContinuousClock.Instant?
    var reapBackoff: Duration = .milliseconds(5)
    var exitedAt: ContinuousClock.Instant?
    var termination: LaunchOutcome.Termination = .exited(0)
    /// Group members seen after the leader exited.
    var strays: Set<pid_t> = []
    var settleGiveUp: ContinuousClock.Instant?
    var nextStrayCheck: ContinuousClock.Instant?
    var abandoned = false
    var output: OutputCapture

    /// How long killed leftovers may take to disappear before we stop waiting.
    static let straySettleLimit: Duration = .seconds(2)
    /// Poll period while killed leftovers are dying.
    static let strayPollPeriod: Duration = .milliseconds(2)
    /// Longest wait between two attempts to reap a leader a tracer holds.
    static let maximumReapBackoff: Duration = .milliseconds(500)

    init(
        pid: pid_t, pidfd: Int32, stdoutFD: Int32, stderrFD: Int32, errorFD: Int32, arena: UnsafeMutableRawPointer?,
        executablePath: String,
        start: ContinuousClock.Instant, request: LaunchRequest,
        continuation: CheckedContinuation<LaunchOutcome, Never>
    ) {
        self.pid = pid
        self.pidfd = pidfd
        self.stdoutFD = stdoutFD
        self.stderrFD = stderrFD
        self.errorFD = errorFD
        self.arena = arena
        self.executablePath = executablePath
        self.start = start
        termDeadline = start.advanced(by: request.timeout)
        killGrace = request.killGrace
        abandonDeadline = start.advanced(by: request.timeout + request.killGrace + LaunchOutcome.abandonAfter)
        self.continuation = continuation
        output = OutputCapture(lineLimit: request.outputLineLimit, tailLines: request.stderrTailLines)
    }

    /// True while the leader is neither reaped nor given up: its pid must not be
    /// reaped by anyone else (the orphan sweep).
    var holdsLeader: Bool { !reaped }

    var nextDeadline: ContinuousClock.Instant? {
        var candidates: [ContinuousClock.Instant] = [abandonDeadline]
        if !leaderExited {
            if !timedOut { candidates.append(termDeadline) } else if !killSent, let killDeadline { candidates.append(killDeadline) }
        } else if !reaped {
            if let nextReapAttempt { candidates.append(nextReapAttempt) }
        } else if let nextStrayCheck {
            candidates.append(nextStrayCheck)
        }
        return candidates.min()
    }

    /// Timeout or cancellation: SIGTERM to the group now, SIGKILL after the grace.
    mutating func terminate(now: ContinuousClock.Instant) {
        timedOut = true
        _ = kill(-pid, SIGTERM)
        killDeadline = now.advanced(by: killGrace)
    }

    /// Reads the exec-error pipe: an errno means the script never started.
    mutating func readExecError() {
        guard errorFD >= 0 else { return }
        var value: Int32 = 0
        let n = read(errorFD, &value, MemoryLayout<Int32>.size)
        if n == MemoryLayout<Int32>.size { execError = value }
        // EOF: execve closed the pipe (or the child exited): the arena is no longer its.
        if n == 0 { releaseArena() }
        if n >= 0 || (errno != EAGAIN && errno != EINTR) {
            close(errorFD)
            errorFD = -1
        }
    }

    mutating func releaseArena() {
        ipf_spawn_release(arena)
        arena = nil
    }

    mutating func drainOutput() {
        output.drain(&stdoutFD, stream: .stdout)
        output.drain(&stderrFD, stream: .stderr)
    }

    mutating func drain(stream: ScriptOutputLine.Stream) {
        if stream == .stdout { output.drain(&stdoutFD, stream: .stdout) } else { output.drain(&stderrFD, stream: .stderr) }
    }

    /// The leader's pidfd is readable: it is a zombie, so its pid still names the
    /// group. Kill the rest of the group *before* reaping, then reap without waiting.
    mutating func leaderDidExit(now: ContinuousClock.Instant) {
        exitedAt = now
        leaderExited = true
        releaseArena()
        drainOutput()
        readExecError()
        _ = kill(-pid, SIGKILL)
        tryReap(now: now)
    }

    /// One non-blocking reap attempt; schedules the next one while a tracer holds the zombie.
    mutating func tryReap(now: ContinuousClock.Instant) {
        var exited: Int32 = 0
        var value: Int32 = 0
        let rc = ipf_reap(pidfd, &exited, &value)
        if rc == 1 {
            nextReapAttempt = now.advanced(by: reapBackoff)
            reapBackoff = min(reapBackoff * 2, Self.maximumReapBackoff)
            return
        }
        if rc == 0 { termination = exited != 0 ? .exited(value) : .signaled(value) }
        // rc < 0 (ECHILD: someone else reaped it): nothing more to learn.
        close(pidfd)
        pidfd = -1
        reaped = true
        nextReapAttempt = nil
    }

    /// Kills and reaps what is left of the group. True once the group is gone (or we
    /// gave up waiting for processes that are not ours to reap).
    mutating func settleStrays(now: ContinuousClock.Instant) -> Bool {
        if kill(-pid, 0) != 0 && errno == ESRCH { return true }
        if settleGiveUp == nil { settleGiveUp = now.advanced(by: Self.straySettleLimit) }
        let members = ProcessTable.members(ofProcessGroup: pid)
        strays.formUnion(members.map(\.pid))
        _ = kill(-pid, SIGKILL)
        var status: Int32 = 0
        // Orphans were re-parented to us (child subreaper): reap the ones that died.
        for member in members where member.state == "Z" {
            _ = waitpid(member.pid, &status, WNOHANG)
        }
        if kill(-pid, 0) != 0 && errno == ESRCH { return true }
        if now >= settleGiveUp! { return true }
        nextStrayCheck = now.advanced(by: Self.strayPollPeriod)
        return false
    }

    /// Gives up on a run the kernel will not let finish. The caller keeps watching
    /// `pidfd` (when still open) to reap the leader later.
    mutating func abandon() {
        abandoned = true
        if !leaderExited { _ = kill(-pid, SIGKILL) }
    }

    /// Closes everything but the pidfd, which an abandoned run hands on.
    mutating func closeOutputDescriptors() {
        if stdoutFD >= 0 { close(stdoutFD); stdoutFD = -1 }
        if stderrFD >= 0 { close(stderrFD); stderrFD = -1 }
        if errorFD >= 0 { close(errorFD); errorFD = -1 }
    }

    func outcome() -> LaunchOutcome {
        if let execError {
            let reason = "\(executablePath): " + String(cString: strerror(execError))
            return LaunchOutcome(
                termination: ProcessSupervisor.isResourceErrno(execError) ? .resourceExhausted(reason) : .failedToStart(reason),
                duration: start.duration(to: exitedAt ?? start), processID: pid)
        }
        let end = exitedAt ?? (abandoned ? ContinuousClock.now : start)
        return LaunchOutcome(
            termination: reaped ? termination : .signaled(SIGKILL), timedOut: timedOut,
            duration: start.duration(to: end),
            stderrTail: output.stderrTail(), strayProcessesKilled: strays.count, processID: pid,
            abandoned: abandoned, output: output.lines, outputLinesDropped: output.dropped)
    }
}

/// A TCP connect in progress on the supervisor thread.
struct PendingConnect {
    let fd: Int32
    let start: ContinuousClock.Instant
    let deadline: ContinuousClock.Instant
    let continuation: CheckedContinuation<TCPConnectResult, Never>
}
