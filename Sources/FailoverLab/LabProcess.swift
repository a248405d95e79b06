import CLinuxShim
import Glibc
import LinuxNetworking
import Synchronization

/// A background process the lab started (keepalived, tshark, …). Stopped by PID
/// (its process group), never by name.
public final class LabProcess: Sendable {
    /// The process ID; it leads its own process group.
    public let pid: pid_t
    /// The argument vector.
    public let arguments: [String]
    /// Files receiving its stdout and stderr.
    public let standardOutputPath: String
    public let standardErrorPath: String
    private let exitStatus = Mutex<Int32?>(nil)

    init(pid: pid_t, arguments: [String], standardOutputPath: String, standardErrorPath: String) {
        self.pid = pid
        self.arguments = arguments
        self.standardOutputPath = standardOutputPath
        self.standardErrorPath = standardErrorPath
    }

    public var standardOutput: String { LabFile.read(standardOutputPath) ?? "" }
    public var standardError: String { LabFile.read(standardErrorPath) ?? "" }

    /// The exit status if the process has ended (reaped here), else nil.
    public var exitStatusIfEnded: Int32? {
        exitStatus.withLock { status in
            if let status { return status }
            var raw: Int32 = 0
            if waitpid(pid, &raw, WNOHANG) == pid { status = LabCommand.exitCode(raw) }
            return status
        }
    }

    /// Sends `signal` to the whole process group, waits up to `grace` for the leader
    /// to exit, then SIGKILLs the group. Returns the exit status.
    @discardableResult
    public func stop(signal: Int32 = SIGTERM, grace: Duration = .seconds(3)) async -> Int32 {
        if let status = exitStatusIfEnded {
            kill(-pid, SIGKILL)
            return status
        }
        kill(-pid, signal)
        let deadline = ContinuousClock.now + grace
        while ContinuousClock.now < deadline {
            if let status = exitStatusIfEnded {
                kill(-pid, SIGKILL)
                return status
            }
            try? await Task.sleep(for: .milliseconds(10))
        }
        kill(-pid, SIGKILL)
        let status = (try? await DedicatedThread.run { [pid] in LabCommand.waitBlocking(pid) }) ?? -1
        exitStatus.withLock { $0 = status }
        return status
    }
}
