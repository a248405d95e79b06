import CProcessSpawn
import Glibc

/// Processes the supervisor reaps whenever they go, never waiting for them: leaders
/// of abandoned runs and orphans a script left behind.
extension ProcessSupervisor {
    /// A lingering process (an abandoned leader or an escaped orphan) may be reapable.
    func reapLingering(_ pid: pid_t, now: ContinuousClock.Instant) {
        guard var process = lingering[pid] else { return }
        var exited: Int32 = 0
        var value: Int32 = 0
        let rc = ipf_reap(process.pidfd, &exited, &value)
        if rc == 1 {
            // Exited but held by a tracer (the pidfd stays readable): retry on a timer.
            if process.retryAt != nil || pidfdSaysExited(process.pidfd) {
                process.retryAt = now.advanced(by: process.backoff)
                process.backoff = min(process.backoff * 2, RunningChild.maximumReapBackoff)
            }
            lingering[pid] = process
            return
        }
        close(process.pidfd)
        ipf_spawn_release(process.arena)
        lingering[pid] = nil
        // Its children, if any, were re-parented to us.
        sweepRequested = true
    }

    private func pidfdSaysExited(_ fd: Int32) -> Bool {
        var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return poll(&entry, 1, 0) == 1
    }

    /// Reaps, or starts watching, the children of this process that a script left
    /// behind: orphans re-parented to us (we are a child subreaper), including those
    /// that escaped their script's process group with setsid. Only processes outside
    /// our own session qualify — every script starts a new session, and whatever else
    /// in this process spawns children (and reaps them itself) stays in ours — and
    /// never a leader a run still holds.
    func sweepOrphans(now: ContinuousClock.Instant) {
        sweepRequested = false
        sweepAgainAt = nil
        let ownSession = getsid(0)
        let held = Set(children.values.filter(\.holdsLeader).map(\.pid))
        var status: Int32 = 0
        for entry in ProcessTable.childrenOfSelf()
        where entry.session != ownSession && !held.contains(entry.pid) && lingering[entry.pid] == nil {
            if entry.state == "Z" {
                if waitpid(entry.pid, &status, WNOHANG) > 0 { orphansReaped += 1 }
                continue
            }
            guard lingering.count < Self.lingeringLimit else {
                sweepAgainAt = now.advanced(by: Self.sweepRetryPeriod)
                continue
            }
            let fd = ipf_pidfd_open(entry.pid)
            if fd >= 0 {
                lingering[entry.pid] = LingeringProcess(pidfd: fd, retryAt: nil)
            } else if fd != -ESRCH {
                // No descriptor to spare: look again later.
                sweepAgainAt = now.advanced(by: Self.sweepRetryPeriod)
            } else {
                // Died between the listing and pidfd_open: a zombie now.
                if waitpid(entry.pid, &status, WNOHANG) > 0 { orphansReaped += 1 }
            }
        }
    }
}

/// A process the supervisor reaps whenever it goes: an abandoned run's leader or
/// an orphan a script left behind.
struct LingeringProcess {
    var pidfd: Int32
    /// Set while the process has exited but cannot be reaped yet (held by a tracer):
    /// its pidfd stays readable, so it is retried on a timer instead of polled.
    var retryAt: ContinuousClock.Instant?
    var backoff: Duration = .milliseconds(5)
    /// An abandoned leader's arena (`ipf_spawn`), when it never got to exec or exit:
    /// released once it is reaped.
    var arena: UnsafeMutableRawPointer?
}
