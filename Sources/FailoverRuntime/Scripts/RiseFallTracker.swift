/// keepalived's rise/fall hysteresis for one check script (the core keeps its own copy
/// for the priority; this one feeds status and logs).
///
/// ```
///            rise consecutive OK             fall consecutive KO
///  unknown ───────────────────────▶ up ────────────────────────▶ down
///     │                               ◀────────────────────────
///     └── fall consecutive KO ──▶ down    rise consecutive OK
/// ```
/// `init_fail` starts in `down` instead of `unknown`.
public struct RiseFallTracker: Sendable, Hashable {
    public enum State: String, Sendable, Hashable {
        case unknown, up, down
    }

    /// Current verdict.
    public private(set) var state: State
    /// Successes in a row (reset by a failure).
    public private(set) var consecutiveSuccesses = 0
    /// Failures in a row (reset by a success).
    public private(set) var consecutiveFailures = 0
    public let rise: Int
    public let fall: Int

    public init(rise: Int, fall: Int, initFail: Bool) {
        self.rise = max(1, rise)
        self.fall = max(1, fall)
        state = initFail ? .down : .unknown
    }

    /// Records one run; returns the new state when it changed.
    @discardableResult
    public mutating func record(succeeded: Bool) -> State? {
        let before = state
        if succeeded {
            consecutiveSuccesses += 1
            consecutiveFailures = 0
            if state != .up, consecutiveSuccesses >= rise { state = .up }
        } else {
            consecutiveFailures += 1
            consecutiveSuccesses = 0
            if state != .down, consecutiveFailures >= fall { state = .down }
        }
        return state == before ? nil : state
    }
}
