import CProcessSpawn
import FailoverRuntime
import Glibc
import Synchronization

/// One long-lived thread that spawns every script, watches pidfds and output pipes
/// with poll(2), enforces deadlines (SIGTERM, then SIGKILL, to the whole group) and
/// reaps. Nothing on this thread waits for a child: spawning is clone(CLONE_VM) (`ipf_spawn`),
/// exec errors arrive through a pipe, exits through pidfds, every reap is WNOHANG,
/// and a run the kernel will not let finish is given up at its abandon deadline
/// (its leader, like orphans that escaped their group, lingers and is reaped later). Spawning from one thread that never exits keeps PR_SET_PDEATHSIG meaningful
/// (the signal fires when the *creating thread* exits, and libdispatch worker threads
/// do exit when idle).
final class ProcessSupervisor: @unchecked Sendable {
    static let shared = ProcessSupervisor()

    enum Command {
        case launch(UInt64, LaunchRequest, CheckedContinuation<LaunchOutcome, Never>)
        case cancel(UInt64)
        case connect(UInt64, Int32, Duration, ContinuousClock.Instant, CheckedContinuation<TCPConnectResult, Never>)
    }

    private let inbox = Mutex<[Command]>([])
    private let nextID = Atomic<UInt64>(1)
    private var wakeRead: Int32 = -1
    private var wakeWrite: Int32 = -1
    private var devNull: Int32 = -1
    // Everything below is touched only by the supervisor thread.
    var children: [UInt64: RunningChild] = [:]
    private var connects: [UInt64: PendingConnect] = [:]
    /// Cancels that arrived before their launch/connect (a task cancelled at entry
    /// runs its cancellation handler first). Bounded: old entries are dropped.
    private var earlyCancels: [UInt64] = []
    /// Abandoned leaders and escaped orphans, by pid, reaped whenever they go.
    var lingering: [pid_t: LingeringProcess] = [:]
    /// Look for orphans on the next pass (a leader or lingering process was reaped).
    var sweepRequested = false
    /// Look again then (descriptors were short, or too many processes linger).
    var sweepAgainAt: ContinuousClock.Instant?
    /// poll(2) errors other than EINTR (each followed by a short back-off).
    private(set) var pollFailures = 0
    /// Runs given up at timeout + grace + `LaunchOutcome.abandonAfter`.
    private(set) var abandonedRuns = 0
    /// Zombie orphans reaped by the sweep.
    var orphansReaped = 0

    /// `IPFAILOVER_SPAWN_WITH_FORK=1`: scripts start with fork instead of clone(CLONE_VM),
    /// for a tool that cannot follow a child sharing the daemon's memory (valgrind, which
    /// `scripts/link-order` runs the daemon under). Costs the daemon a page fault per page
    /// it writes after each run.
    static let spawnWithFork = getenv("IPFAILOVER_SPAWN_WITH_FORK").map { String(cString: $0) == "1" } ?? false

    /// Most processes watched through a pidfd at once; beyond, periodic sweeps reap them.
    static let lingeringLimit = 256
    /// Pause between sweeps while descriptors are short or the watch list is full.
    static let sweepRetryPeriod: Duration = .seconds(1)
    /// Pause after a failed poll(2).
    static let pollFailureBackoffMS: Int32 = 10

    private init() {
        var fds: [Int32] = [-1, -1]
        guard ipf_pipe(&fds, 1) == 0 else { fatalError("ProcessSupervisor: cannot create wake pipe") }
        wakeRead = fds[0]
        wakeWrite = fds[1]
        _ = fcntl(wakeWrite, F_SETFL, fcntl(wakeWrite, F_GETFL) | O_NONBLOCK)
        devNull = open("/dev/null", O_RDWR | O_CLOEXEC)
        let box = Unmanaged.passRetained(self).toOpaque()
        var thread = pthread_t()
        let rc = pthread_create(&thread, nil, { arg in
            let supervisor = Unmanaged<ProcessSupervisor>.fromOpaque(arg!).takeUnretainedValue()
            supervisor.run()
            return nil
        }, box)
        guard rc == 0 else { fatalError("ProcessSupervisor: pthread_create failed (\(rc))") }
        pthread_detach(thread)
    }

    func makeID() -> UInt64 { nextID.wrappingAdd(1, ordering: .relaxed).oldValue }

    func submit(_ command: Command) {
        inbox.withLock { $0.append(command) }
        var byte: UInt8 = 1
        _ = write(wakeWrite, &byte, 1)
    }

    // MARK: - The thread

    private func run() {
        var pollFDs: [pollfd] = []
        while true {
            let commands = inbox.withLock { inbox -> [Command] in
                defer { inbox.removeAll(keepingCapacity: true) }
                return inbox
            }
            for command in commands { handle(command) }

            let now = ContinuousClock.now
            enforceDeadlines(now: now)
            if sweepRequested || (sweepAgainAt.map { now >= $0 } ?? false) { sweepOrphans(now: now) }
            var timeoutMS: Int32 = -1
            if let deadline = nextDeadline() {
                let wait = now.duration(to: deadline)
                timeoutMS = wait <= .zero ? 0 : Int32(min(wait.milliseconds + 1, 60_000))
            }

            pollFDs.removeAll(keepingCapacity: true)
            pollFDs.append(pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0))
            var owners: [(UInt64, Watch)] = []
            for (id, child) in children {
                if child.pidfd >= 0, !child.leaderExited {
                    pollFDs.append(pollfd(fd: child.pidfd, events: Int16(POLLIN), revents: 0))
                    owners.append((id, .leader))
                }
                if child.stdoutFD >= 0 {
                    pollFDs.append(pollfd(fd: child.stdoutFD, events: Int16(POLLIN), revents: 0))
                    owners.append((id, .stdout))
                }
                if child.stderrFD >= 0 {
                    pollFDs.append(pollfd(fd: child.stderrFD, events: Int16(POLLIN), revents: 0))
                    owners.append((id, .stderr))
                }
                if child.errorFD >= 0, !child.leaderExited {
                    pollFDs.append(pollfd(fd: child.errorFD, events: Int16(POLLIN), revents: 0))
                    owners.append((id, .execError))
                }
            }
            for (id, pending) in connects {
                pollFDs.append(pollfd(fd: pending.fd, events: Int16(POLLOUT), revents: 0))
                owners.append((id, .connect))
            }
            for (pid, process) in lingering where process.retryAt == nil {
                pollFDs.append(pollfd(fd: process.pidfd, events: Int16(POLLIN), revents: 0))
                owners.append((UInt64(pid), .lingering))
            }
            let ready = poll(&pollFDs, nfds_t(pollFDs.count), timeoutMS)
            if ready < 0 {
                if errno != EINTR {
                    // ENOMEM, or more descriptors than RLIMIT_NOFILE allows: back off
                    // rather than spin; deadlines are still enforced on every pass.
                    pollFailures += 1
                    _ = poll(nil, 0, Self.pollFailureBackoffMS)
                }
                continue
            }
            if pollFDs[0].revents != 0 {
                var buffer = [UInt8](repeating: 0, count: 256)
                while read(wakeRead, &buffer, buffer.count) > 0 {}
            }
            for (index, owner) in owners.enumerated() where pollFDs[index + 1].revents != 0 {
                let (id, kind) = owner
                switch kind {
                case .leader: leaderExited(id)
                case .stdout: children[id]?.drain(stream: .stdout)
                case .stderr: children[id]?.drain(stream: .stderr)
                case .execError: children[id]?.readExecError()
                case .connect: connectReady(id)
                case .lingering: reapLingering(pid_t(truncatingIfNeeded: id), now: ContinuousClock.now)
                }
            }
        }
    }

    /// What a polled descriptor belongs to.
    private enum Watch {
        case leader, stdout, stderr, execError, connect, lingering
    }

    private func handle(_ command: Command) {
        switch command {
        case let .launch(id, request, continuation):
            if let index = earlyCancels.firstIndex(of: id) {
                earlyCancels.remove(at: index)
                continuation.resume(returning: LaunchOutcome(termination: .failedToStart("cancelled before start"), timedOut: true))
                return
            }
            spawn(id: id, request: request, continuation: continuation)
        case let .cancel(id):
            if children[id] == nil && connects[id] == nil {
                earlyCancels.append(id)
                if earlyCancels.count > 256 { earlyCancels.removeFirst(earlyCancels.count - 256) }
                return
            }
            if var child = children[id], !child.timedOut, !child.leaderExited {
                child.terminate(now: ContinuousClock.now)
                children[id] = child
            }
            if let pending = connects.removeValue(forKey: id) {
                close(pending.fd)
                pending.continuation.resume(returning: .failed("cancelled"))
            }
        case let .connect(id, fd, timeout, start, continuation):
            if let index = earlyCancels.firstIndex(of: id) {
                earlyCancels.remove(at: index)
                close(fd)
                continuation.resume(returning: .failed("cancelled"))
                return
            }
            connects[id] = PendingConnect(fd: fd, start: start, deadline: start.advanced(by: timeout), continuation: continuation)
        }
    }

    private func nextDeadline() -> ContinuousClock.Instant? {
        var best: ContinuousClock.Instant?
        func consider(_ instant: ContinuousClock.Instant?) {
            guard let instant else { return }
            if best == nil || instant < best! { best = instant }
        }
        for child in children.values { consider(child.nextDeadline) }
        for pending in connects.values { consider(pending.deadline) }
        for process in lingering.values { consider(process.retryAt) }
        consider(sweepAgainAt)
        if sweepRequested { consider(.now) }
        return best
    }

    private func enforceDeadlines(now: ContinuousClock.Instant) {
        for id in Array(children.keys) {
            guard var child = children[id] else { continue }
            if now >= child.abandonDeadline {
                children[id] = child
                abandon(id)
                continue
            }
            if child.leaderExited {
                if !child.reaped {
                    guard let attempt = child.nextReapAttempt, now >= attempt else { continue }
                    child.tryReap(now: now)
                    if child.reaped {
                        sweepRequested = true
                        if !child.settleStrays(now: now) { children[id] = child; continue }
                        children[id] = child
                        complete(id)
                    } else {
                        children[id] = child
                    }
                    continue
                }
                guard let check = child.nextStrayCheck, now >= check else { continue }
                if child.settleStrays(now: now) { children[id] = child; complete(id) } else { children[id] = child }
                continue
            }
            if !child.timedOut, now >= child.termDeadline {
                child.terminate(now: now)
            } else if let kill = child.killDeadline, !child.killSent, now >= kill {
                child.killSent = true
                _ = Glibc.kill(-child.pid, SIGKILL)
            }
            children[id] = child
        }
        for (id, pending) in connects where now >= pending.deadline {
            connects[id] = nil
            close(pending.fd)
            pending.continuation.resume(returning: .timedOut)
        }
        for (pid, process) in lingering {
            if let retry = process.retryAt, now >= retry { reapLingering(pid, now: now) }
        }
    }

    private func leaderExited(_ id: UInt64) {
        guard var child = children[id] else { return }
        let now = ContinuousClock.now
        child.leaderDidExit(now: now)
        guard child.reaped else {
            // A zombie only its tracer may reap yet: retried on a timer, never waited for.
            children[id] = child
            return
        }
        // The leader's children (escaped ones included) are ours now.
        sweepRequested = true
        let settled = child.settleStrays(now: now)
        children[id] = child
        if settled { complete(id) }
    }

    private func complete(_ id: UInt64) {
        guard var child = children.removeValue(forKey: id) else { return }
        child.drainOutput()
        child.closeOutputDescriptors()
        if child.pidfd >= 0 { close(child.pidfd); child.pidfd = -1 }
        child.continuation.resume(returning: child.outcome())
    }

    /// The run took longer than the kernel allows us to wait: report it, keep the
    /// leader's pidfd to reap it whenever it finally goes.
    private func abandon(_ id: UInt64) {
        guard var child = children.removeValue(forKey: id) else { return }
        child.abandon()
        child.drainOutput()
        child.closeOutputDescriptors()
        if child.pidfd >= 0 {
            if lingering.count < Self.lingeringLimit {
                lingering[child.pid] = LingeringProcess(pidfd: child.pidfd, retryAt: child.leaderExited ? .now : nil,
                                                        arena: child.arena)
                child.arena = nil
            } else {
                // Past the watch limit its arena (tens of KiB) stays mapped: the child
                // may still be in execve and need it.
                close(child.pidfd)
                sweepAgainAt = sweepAgainAt ?? ContinuousClock.now.advanced(by: Self.sweepRetryPeriod)
            }
            child.pidfd = -1
        }
        sweepRequested = true
        abandonedRuns += 1
        child.continuation.resume(returning: child.outcome())
    }

    private func connectReady(_ id: UInt64) {
        guard let pending = connects.removeValue(forKey: id) else { return }
        var error: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        let rc = getsockopt(pending.fd, SOL_SOCKET, SO_ERROR, &error, &length)
        close(pending.fd)
        if rc == 0 && error == 0 {
            pending.continuation.resume(returning: .connected(pending.start.duration(to: .now)))
        } else {
            pending.continuation.resume(returning: .failed(String(cString: strerror(rc == 0 ? error : errno))))
        }
    }

    /// errno values that mean the daemon itself lacks resources, not that the
    /// command is broken.
    static func isResourceErrno(_ code: Int32) -> Bool {
        code == EMFILE || code == ENFILE || code == EAGAIN || code == ENOMEM
    }

    private func spawnFailure(_ request: LaunchRequest, _ what: String, errno code: Int32, start: ContinuousClock.Instant) -> LaunchOutcome {
        let reason = "\(what): " + String(cString: strerror(code))
        return LaunchOutcome(
            termination: Self.isResourceErrno(code) ? .resourceExhausted(reason) : .failedToStart(reason),
            duration: start.duration(to: .now))
    }

    private func spawn(id: UInt64, request: LaunchRequest, continuation: CheckedContinuation<LaunchOutcome, Never>) {
        let start = ContinuousClock.now
        var stdoutPipe: [Int32] = [-1, -1]
        var stderrPipe: [Int32] = [-1, -1]
        var rc = ipf_pipe(&stdoutPipe, 1)
        if rc == 0 {
            rc = ipf_pipe(&stderrPipe, 1)
            if rc != 0 { close(stdoutPipe[0]); close(stdoutPipe[1]) }
        }
        guard rc == 0 else {
            continuation.resume(returning: spawnFailure(request, "pipe", errno: -rc, start: start))
            return
        }
        let argv = request.arguments.map { strdup($0) } + [nil]
        let envp = request.environment.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pidfd: Int32 = -1
        var errorFD: Int32 = -1
        var arena: UnsafeMutableRawPointer?
        let pid: Int32 = request.executablePath.withCString { path in
            argv.withUnsafeBufferPointer { argvBuffer in
                envp.withUnsafeBufferPointer { envpBuffer in
                    var spawnRequest = ipf_spawn_request(
                        path: path, argv: argvBuffer.baseAddress, envp: envpBuffer.baseAddress,
                        stdin_fd: devNull, stdout_fd: stdoutPipe[1], stderr_fd: stderrPipe[1],
                        change_credentials: request.credentials == nil ? 0 : 1,
                        uid: request.credentials?.uid ?? 0, gid: request.credentials?.gid ?? 0,
                        parent_death_signal: SIGKILL, use_fork: Self.spawnWithFork ? 1 : 0)
                    return ipf_spawn(&spawnRequest, &pidfd, &errorFD, &arena)
                }
            }
        }
        close(stdoutPipe[1])
        close(stderrPipe[1])
        guard pid > 0 else {
            close(stdoutPipe[0])
            close(stderrPipe[0])
            continuation.resume(returning: spawnFailure(request, request.executablePath, errno: -pid, start: start))
            return
        }
        children[id] = RunningChild(
            pid: pid, pidfd: pidfd, stdoutFD: stdoutPipe[0], stderrFD: stderrPipe[0], errorFD: errorFD, arena: arena,
            executablePath: request.executablePath, start: start, request: request, continuation: continuation)
    }
}

extension Duration {
    var milliseconds: Int32 {
        let (seconds, attoseconds) = components
        return Int32(clamping: seconds * 1000 + attoseconds / 1_000_000_000_000_000)
    }
}
