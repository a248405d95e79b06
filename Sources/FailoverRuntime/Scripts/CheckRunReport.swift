import VRRPCore
/// The result of one check run, delivered in run order per script. The integrator
/// turns it into the core's `checkResult(script:succeeded:now:)` event.
public struct CheckRunReport<Instant: Sendable>: Sendable {
    /// What produced the verdict.
    public enum Detail: Sendable, Hashable {
        case process(LaunchOutcome)
        case tcpConnect(TCPConnectResult)
        case alwaysSucceeds
        /// The daemon could not start the run for lack of its own resources. Not a
        /// result: the rise/fall verdict and the instances are left as they were.
        case notStarted(String)
    }

    /// `vrrp_script` name.
    public var script: String
    /// 1-based run number of this script.
    public var sequence: Int
    /// Exit 0 within the timeout (or a connected TCP probe).
    public var succeeded: Bool
    /// Clock time the run was started.
    public var startedAt: Instant
    /// Clock time the verdict was known (`now:` for the core).
    public var finishedAt: Instant
    public var detail: Detail
    /// The rise/fall verdict after this run.
    public var state: RiseFall.Status
    /// Set when this run changed the rise/fall verdict.
    public var transition: RiseFall.Status?

    /// False for a run the daemon could not start (`Detail.notStarted`): nothing to
    /// tell the instances.
    public var isResult: Bool {
        if case .notStarted = detail { return false }
        return true
    }

    /// One line for the log: duration, exit/signal/timeout and stderr tail on failure.
    public var summary: String {
        switch detail {
        case .alwaysSucceeds:
            return "\(script): no check configured, OK"
        case .notStarted(let why):
            return "\(script): not run, the daemon lacks resources (\(why)); the verdict stays \(state.rawValue)"
        case .tcpConnect(let result):
            switch result {
            case .connected(let d): return "\(script): TCP connect OK in \(d)"
            case .failed(let why): return "\(script): TCP connect failed: \(why)"
            case .timedOut: return "\(script): TCP connect timed out"
            case .resourceExhausted(let why): return "\(script): TCP connect not attempted: \(why)"
            }
        case .process(let outcome):
            var text = "\(script): "
            switch outcome.termination {
            case .exited(let code) where outcome.timedOut:
                text += "timed out after \(outcome.duration) (exit \(code) after SIGTERM)"
            case .signaled(let sig) where outcome.timedOut:
                text += "timed out after \(outcome.duration) (killed by signal \(sig))"
            case .exited(let code):
                text += code == 0 ? "OK in \(outcome.duration)" : "failed with exit \(code) after \(outcome.duration)"
            case .signaled(let sig):
                text += "killed by signal \(sig) after \(outcome.duration)"
            case .failedToStart(let why):
                text += "could not start: \(why)"
            case .resourceExhausted(let why):
                text += "not started, the daemon lacks resources: \(why)"
            }
            if outcome.abandoned {
                text += "; given up: the process neither exited nor could be reaped (stuck in the kernel or traced)"
            }
            if outcome.strayProcessesKilled > 0 {
                text += "; killed \(outcome.strayProcessesKilled) leftover process(es)"
            }
            if !outcome.succeeded, !outcome.stderrTail.isEmpty {
                text += "; stderr: " + outcome.stderrTail.joined(separator: " | ")
            }
            return text
        }
    }
}
