import CProcessSpawn
import FailoverRuntime
import Glibc
import Synchronization

/// One long-lived thread that spawns every script, watches pidfds and stderr pipes
/// with poll(2), enforces deadlines (SIGTERM, then SIGKILL, to the whole group) and
/// reaps. Nothing on this thread waits for a child: spawning is fork (not vfork),
/// exec errors arrive through a pipe, exits through pidfds. Spawning from one thread that never exits keeps PR_SET_PDEATHSIG meaningful
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
    private var children: [UInt64: RunningChild] = [:]
    private var connects: [UInt64: PendingConnect] = [:]
    /// Cancels that arrived before their launch/connect (a task cancelled at entry
    /// runs its cancellation handler first). Bounded: old entries are dropped.
    private var earlyCancels: [UInt64] = []

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
            var timeoutMS: Int32 = -1
            if let deadline = nextDeadline() {
                let wait = now.duration(to: deadline)
                timeoutMS = wait <= .zero ? 0 : Int32(min(wait.milliseconds + 1, 60_000))
            }

            pollFDs.removeAll(keepingCapacity: true)
            pollFDs.append(pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0))
            var owners: [(UInt64, Int)] = []  // (id, 0 = pidfd, 1 = stderr, 2 = connect, 3 = exec error)
            for (id, child) in children {
                if child.pidfd >= 0, !child.leaderExited {
                    pollFDs.append(pollfd(fd: child.pidfd, events: Int16(POLLIN), revents: 0))
                    owners.append((id, 0))
                }
                if child.stderrFD >= 0 {
                    pollFDs.append(pollfd(fd: child.stderrFD, events: Int16(POLLIN), revents: 0))
                    owners.append((id, 1))
                }
                if child.errorFD >= 0, !child.leaderExited {
                    pollFDs.append(pollfd(fd: child.errorFD, events: Int16(POLLIN), revents: 0))
                    owners.append((id, 3))
                }
            }
            for (id, pending) in connects {
                pollFDs.append(pollfd(fd: pending.fd, events: Int16(POLLOUT), revents: 0))
                owners.append((id, 2))
            }
            let ready = poll(&pollFDs, nfds_t(pollFDs.count), timeoutMS)
            if ready < 0 && errno != EINTR { continue }
            if pollFDs[0].revents != 0 {
                var buffer = [UInt8](repeating: 0, count: 256)
                while read(wakeRead, &buffer, buffer.count) > 0 {}
            }
            for (index, owner) in owners.enumerated() where pollFDs[index + 1].revents != 0 {
                let (id, kind) = owner
                switch kind {
                case 0: leaderExited(id)
                case 1: children[id]?.drainStderr()
                case 3: children[id]?.readExecError()
                default: connectReady(id)
                }
            }
        }
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
        return best
    }

    private func enforceDeadlines(now: ContinuousClock.Instant) {
        for id in Array(children.keys) {
            guard var child = children[id] else { continue }
            if child.leaderExited {
                guard let check = child.nextStrayCheck, now >= check else { continue }
                if child.settleStrays(now: now) { complete(id) } else { children[id] = child }
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
    }

    private func leaderExited(_ id: UInt64) {
        guard var child = children[id] else { return }
        child.reapLeader(now: ContinuousClock.now)
        if child.settleStrays(now: ContinuousClock.now) {
            children[id] = child
            complete(id)
        } else {
            children[id] = child
        }
    }

    private func complete(_ id: UInt64) {
        guard var child = children.removeValue(forKey: id) else { return }
        child.drainStderr()
        child.closeDescriptors()
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

    private func spawn(id: UInt64, request: LaunchRequest, continuation: CheckedContinuation<LaunchOutcome, Never>) {
        var pipeFDs: [Int32] = [-1, -1]
        let pipeRC = ipf_pipe(&pipeFDs, 1)
        guard pipeRC == 0 else {
            continuation.resume(returning: LaunchOutcome(termination: .failedToStart("pipe: " + String(cString: strerror(-pipeRC)))))
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
        let start = ContinuousClock.now
        let pid: Int32 = request.executablePath.withCString { path in
            argv.withUnsafeBufferPointer { argvBuffer in
                envp.withUnsafeBufferPointer { envpBuffer in
                    var spawnRequest = ipf_spawn_request(
                        path: path, argv: argvBuffer.baseAddress, envp: envpBuffer.baseAddress,
                        stdin_fd: devNull, stdout_fd: devNull, stderr_fd: pipeFDs[1],
                        change_credentials: request.credentials == nil ? 0 : 1,
                        uid: request.credentials?.uid ?? 0, gid: request.credentials?.gid ?? 0,
                        parent_death_signal: SIGKILL)
                    return ipf_spawn(&spawnRequest, &pidfd, &errorFD)
                }
            }
        }
        close(pipeFDs[1])
        guard pid > 0 else {
            close(pipeFDs[0])
            let reason = "\(request.executablePath): " + String(cString: strerror(-pid))
            continuation.resume(returning: LaunchOutcome(termination: .failedToStart(reason), duration: start.duration(to: .now)))
            return
        }
        children[id] = RunningChild(
            pid: pid, pidfd: pidfd, stderrFD: pipeFDs[0], errorFD: errorFD,
            executablePath: request.executablePath, start: start,
            termDeadline: start.advanced(by: request.timeout), killGrace: request.killGrace,
            tailLines: request.stderrTailLines, continuation: continuation)
    }
}

extension Duration {
    var milliseconds: Int32 {
        let (seconds, attoseconds) = components
        return Int32(clamping: seconds * 1000 + attoseconds / 1_000_000_000_000_000)
    }
}
