import VRRPCore
/// Per-script numbers for `/status` and `/metrics`.
public struct CheckScriptStatus: Sendable, Hashable {
    public var name: String
    /// Rise/fall verdict (the rule the instances apply).
    public var state: RiseFall.Status
    public var consecutiveSuccesses: Int
    public var consecutiveFailures: Int
    /// Runs started.
    public var runsStarted: Int
    /// Runs finished (and delivered).
    public var runsCompleted: Int
    /// Finished runs that failed (any reason, timeouts included).
    public var failures: Int
    /// Failed runs that hit the timeout.
    public var timeouts: Int
    /// Runs currently in flight (more than one only when timeout + grace > interval).
    public var runsInFlight: Int
    /// Scheduled starts that were skipped because the schedule fell behind the clock.
    public var missedTicks: Int
    /// Leftover group members killed after their leader exited, over all runs.
    public var strayProcessesKilled: Int
    /// Duration of the last finished run.
    public var lastDuration: Duration?
    /// Log line of the last failed run.
    public var lastFailure: String?
    /// stderr tail of the last failed run.
    public var lastStderrTail: [String]
    /// Why the script is disabled (reported at load), if so.
    public var loadError: ScriptError?
    /// Runs the daemon could not start for lack of its own resources (descriptors,
    /// processes, memory); they are not results, the verdict stays as it was.
    public var spawnFailures: Int = 0
    /// Why the last such run could not start.
    public var lastSpawnFailure: String?
    /// Load-time warnings.
    public var warnings: [ScriptError]

    /// Disabled at load: never run, tracked by no instance.
    public var isDisabled: Bool { loadError != nil }

    /// The state `/status` shows: `disabled`, or the rise/fall verdict.
    public var displayState: String { isDisabled ? "disabled" : state.rawValue }
}
