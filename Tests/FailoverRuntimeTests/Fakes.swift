@testable import FailoverRuntime
import Synchronization
import VRRPWire

/// A launcher whose runs end only when the test says so (or when cancelled).
final class ScriptedLauncher: ProcessLauncher {
    private struct Run {
        var request: LaunchRequest
        var continuation: CheckedContinuation<LaunchOutcome, Never>?
        var finished = false
    }

    private struct State {
        var runs: [Run] = []
        var launchWaiters: [(Int, CheckedContinuation<Void, Never>)] = []
        var events: [String] = []
    }

    private let state = Mutex(State())

    func launch(_ request: LaunchRequest) async -> LaunchOutcome {
        let index = state.withLock { s -> Int in s.runs.count }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<LaunchOutcome, Never>) in
                let waiters = state.withLock { s -> [CheckedContinuation<Void, Never>] in
                    s.runs.append(Run(request: request, continuation: continuation))
                    s.events.append("start " + request.arguments.joined(separator: " "))
                    let ready = s.launchWaiters.filter { $0.0 <= s.runs.count }.map(\.1)
                    s.launchWaiters.removeAll { $0.0 <= s.runs.count }
                    return ready
                }
                waiters.forEach { $0.resume() }
            }
        } onCancel: {
            self.finish(index, with: LaunchOutcome(termination: .signaled(15), timedOut: true))
        }
    }

    /// Ends run `index` (0-based).
    func finish(_ index: Int, with outcome: LaunchOutcome) {
        let continuation = state.withLock { s -> CheckedContinuation<LaunchOutcome, Never>? in
            guard index < s.runs.count, !s.runs[index].finished else { return nil }
            s.runs[index].finished = true
            s.events.append("end " + s.runs[index].request.arguments.joined(separator: " "))
            defer { s.runs[index].continuation = nil }
            return s.runs[index].continuation
        }
        continuation?.resume(returning: outcome)
    }

    func finish(_ index: Int, exit code: Int32) { finish(index, with: LaunchOutcome(termination: .exited(code))) }

    /// Waits until `count` launches have happened.
    func waitForLaunches(_ count: Int) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let ready = state.withLock { s -> Bool in
                if s.runs.count >= count { return true }
                s.launchWaiters.append((count, continuation))
                return false
            }
            if ready { continuation.resume() }
        }
    }

    var launchCount: Int { state.withLock { $0.runs.count } }
    var requests: [LaunchRequest] { state.withLock { $0.runs.map(\.request) } }
    var events: [String] { state.withLock { $0.events } }
    func isFinished(_ index: Int) -> Bool { state.withLock { $0.runs[index].finished } }
}

/// Every run succeeds at once.
struct ImmediateLauncher: ProcessLauncher {
    var outcome = LaunchOutcome(termination: .exited(0))
    func launch(_ request: LaunchRequest) async -> LaunchOutcome { outcome }
}

struct UnusedProbe: TCPConnectProbe {
    func connect(to address: IPAddress, port: UInt16, timeout: Duration) async -> TCPConnectResult {
        .failed("unused")
    }
}

/// An in-memory filesystem and user database.
struct FakeHost: ScriptHostInspector {
    var files: [String: FileStatus] = [:]
    var users: [String: ScriptCredentials] = [:]
    var executableFormat: Set<String> = []

    func fileStatus(atPath path: String) -> FileStatus? { files[path] }
    func credentials(user: String, group: String?) -> ScriptCredentials? { users[user] }
    func hasExecutableFormat(atPath path: String) -> Bool { executableFormat.contains(path) }

    static func directory(uid: UInt32 = 0, gid: UInt32 = 0, mode: UInt32 = 0o755) -> FileStatus {
        FileStatus(ownerUID: uid, ownerGID: gid, permissions: mode, isRegularFile: false, isDirectory: true)
    }

    static func file(uid: UInt32 = 0, gid: UInt32 = 0, mode: UInt32 = 0o755) -> FileStatus {
        FileStatus(ownerUID: uid, ownerGID: gid, permissions: mode, isRegularFile: true, isDirectory: false)
    }

    /// A host with `/etc/keepalived/<name>` scripts, all root-owned 0755 with a `#!`.
    static func standard(scripts: [String]) -> FakeHost {
        var host = FakeHost()
        host.files["/"] = directory()
        host.files["/etc"] = directory()
        host.files["/etc/keepalived"] = directory()
        for script in scripts {
            host.files["/etc/keepalived/" + script] = file()
            host.executableFormat.insert("/etc/keepalived/" + script)
        }
        return host
    }
}

/// Records FIFO lines.
final class RecordingFIFO: NotifyFIFOWriter {
    private let lines = Mutex<[String]>([])
    func write(line: String) -> Bool {
        lines.withLock { $0.append(line) }
        return true
    }
    var written: [String] { lines.withLock { $0 } }
}
