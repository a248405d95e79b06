import CProcessSpawn
import FailoverRuntime
import Glibc

/// `ProcessLauncher` for Linux: fork+exec in a new session (own process group),
/// parent-death signal SIGKILL, stdin/stdout on /dev/null, stderr captured (tail
/// kept), every inherited descriptor closed, credentials switched with raw syscalls
/// before exec. Timeouts send SIGTERM to the group, SIGKILL after the grace; once
/// the leader exits the rest of its group is killed and reaped before `launch`
/// returns, so nothing a script started outlives its run.
public struct LinuxProcessLauncher: ProcessLauncher {
    /// - Parameter reapOrphans: make this process a child subreaper
    ///   (PR_SET_CHILD_SUBREAPER) so orphans of scripts are re-parented to us and
    ///   reaped by us; without it they go to PID 1, which in a container (or this
    ///   lab) may never reap them.
    public init(reapOrphans: Bool = true) {
        if reapOrphans { _ = ipf_become_child_subreaper() }
    }

    public func launch(_ request: LaunchRequest) async -> LaunchOutcome {
        let supervisor = ProcessSupervisor.shared
        let id = supervisor.makeID()
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                supervisor.submit(.launch(id, request, continuation))
            }
        } onCancel: {
            supervisor.submit(.cancel(id))
        }
    }
}
