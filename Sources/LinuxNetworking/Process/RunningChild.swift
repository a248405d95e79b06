import CProcessSpawn
import FailoverRuntime
import Glibc

/// Supervisor-thread bookkeeping for one launched command.
struct RunningChild {
    /// Leader pid = process group id = session id (the child called setsid).
    let pid: pid_t
    var pidfd: Int32
    var stderrFD: Int32
    /// Read end of the exec-error pipe (EOF once execve succeeded).
    var errorFD: Int32
    /// errno of a failed setup/exec in the child.
    var execError: Int32?
    let executablePath: String
    let start: ContinuousClock.Instant
    let termDeadline: ContinuousClock.Instant
    let killGrace: Duration
    let tailLines: Int
    let continuation: CheckedContinuation<LaunchOutcome, Never>

    var timedOut = false
    var killDeadline: ContinuousClock.Instant?
    var killSent = false
    var leaderExited = false
    var exitedAt: ContinuousClock.Instant?
    var termination: LaunchOutcome.Termination = .exited(0)
    /// Group members seen after the leader exited.
    var strays: Set<pid_t> = []
    var settleGiveUp: ContinuousClock.Instant?
    var nextStrayCheck: ContinuousClock.Instant?
    private var stderrTail: [UInt8] = []

    /// Bytes of stderr kept (the tail lines are cut from these).
    static let stderrBytesKept = 8192
    /// How long killed leftovers may take to disappear before we stop waiting.
    static let straySettleLimit: Duration = .seconds(2)
    /// Poll period while killed leftovers are dying.
    static let strayPollPeriod: Duration = .milliseconds(2)

    init(
        pid: pid_t, pidfd: Int32, stderrFD: Int32, errorFD: Int32, executablePath: String,
        start: ContinuousClock.Instant,
        termDeadline: ContinuousClock.Instant, killGrace: Duration, tailLines: Int,
        continuation: CheckedContinuation<LaunchOutcome, Never>
    ) {
        self.pid = pid
        self.pidfd = pidfd
        self.stderrFD = stderrFD
        self.errorFD = errorFD
        self.executablePath = executablePath
        self.start = start
        self.termDeadline = termDeadline
        self.killGrace = killGrace
        self.tailLines = tailLines
        self.continuation = continuation
    }

    var nextDeadline: ContinuousClock.Instant? {
        if leaderExited { return nextStrayCheck }
        if !timedOut { return termDeadline }
        return killSent ? nil : killDeadline
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
        if n >= 0 || (errno != EAGAIN && errno != EINTR) {
            close(errorFD)
            errorFD = -1
        }
    }

    mutating func drainStderr() {
        guard stderrFD >= 0 else { return }
        var buffer = [UInt8](repeating: 0, count: 4096)
        // Bounded per wake-up: a script flooding stderr must not monopolise the thread.
        for _ in 0..<16 {
            let n = read(stderrFD, &buffer, buffer.count)
            if n > 0 {
                stderrTail.append(contentsOf: buffer[0..<n])
                if stderrTail.count > Self.stderrBytesKept {
                    stderrTail.removeFirst(stderrTail.count - Self.stderrBytesKept)
                }
                continue
            }
            if n == 0 || (errno != EINTR && errno != EAGAIN) {
                // EOF (every writer gone) or error: stop watching.
                close(stderrFD)
                stderrFD = -1
            }
            return
        }
    }

    /// The leader's pidfd is readable: it is a zombie, so its pid still names the
    /// group. Kill the rest of the group *before* reaping, then reap.
    mutating func reapLeader(now: ContinuousClock.Instant) {
        exitedAt = now
        drainStderr()
        readExecError()
        _ = kill(-pid, SIGKILL)
        var exited: Int32 = 0
        var value: Int32 = 0
        if ipf_reap(pidfd, &exited, &value) == 0 {
            termination = exited != 0 ? .exited(value) : .signaled(value)
        }
        close(pidfd)
        pidfd = -1
        leaderExited = true
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

    mutating func closeDescriptors() {
        if pidfd >= 0 { close(pidfd); pidfd = -1 }
        if stderrFD >= 0 { close(stderrFD); stderrFD = -1 }
        if errorFD >= 0 { close(errorFD); errorFD = -1 }
    }

    func outcome() -> LaunchOutcome {
        if let execError {
            return LaunchOutcome(
                termination: .failedToStart("\(executablePath): " + String(cString: strerror(execError))),
                duration: start.duration(to: exitedAt ?? start), processID: pid)
        }
        let text = String(decoding: stderrTail, as: UTF8.self)
        let lines = text.split(whereSeparator: \.isNewline).map(String.init).filter { !$0.isEmpty }
        return LaunchOutcome(
            termination: termination, timedOut: timedOut,
            duration: start.duration(to: exitedAt ?? start),
            stderrTail: Array(lines.suffix(tailLines)), strayProcessesKilled: strays.count, processID: pid)
    }
}

/// A TCP connect in progress on the supervisor thread.
struct PendingConnect {
    let fd: Int32
    let start: ContinuousClock.Instant
    let deadline: ContinuousClock.Instant
    let continuation: CheckedContinuation<TCPConnectResult, Never>
}
