/// keepalived's rise/fall debounce of one tracked script's raw results: the one rule
/// both the instance (priority, FAULT) and the script's shown verdict (`/status`,
/// `/metrics`, the "check … → down" log) follow, so they cannot disagree.
///
/// ```
///            first result (or init_fail)
///  pending ───────────────────────────────┐
///                                          v
///        rise consecutive successes    ┌──────┐
///   down ─────────────────────────────>│  up  │
///     ^  <─────────────────────────────└──────┘
///        fall consecutive failures
/// ```
/// The first result decides at once: keepalived seeds a new script's counters one
/// short of the threshold, so neither `rise` nor `fall` delays the first verdict.
public struct RiseFall: Hashable, Sendable {
    /// Debounced verdict, before any `reverse` is applied.
    public enum Status: String, Hashable, Sendable {
        /// No result yet (scripts without `init_fail`).
        case pending
        case up
        case down
    }

    /// Successes in a row needed to go from down to up (at least 1).
    public let rise: Int
    /// Failures in a row needed to go from up to down (at least 1).
    public let fall: Int
    /// Current verdict.
    public private(set) var status: Status
    /// Successes in a row so far (reset by a failure).
    public private(set) var consecutiveSuccesses = 0
    /// Failures in a row so far (reset by a success).
    public private(set) var consecutiveFailures = 0

    /// `initFail` (keepalived `init_fail`) starts `down` instead of `pending`.
    public init(rise: Int, fall: Int, initFail: Bool) {
        self.rise = max(1, rise)
        self.fall = max(1, fall)
        status = initFail ? .down : .pending
    }

    /// A verdict that follows every result at once (rise = fall = 1), starting at `status`.
    public init(following status: Status) {
        rise = 1
        fall = 1
        self.status = status
    }

    /// Feeds one raw result; returns true when the verdict changed.
    @discardableResult
    public mutating func record(success: Bool) -> Bool {
        if success {
            consecutiveSuccesses += 1
            consecutiveFailures = 0
        } else {
            consecutiveFailures += 1
            consecutiveSuccesses = 0
        }
        let next: Status
        switch (status, success) {
        case (.pending, _): next = success ? .up : .down
        case (.up, false) where consecutiveFailures >= fall: next = .down
        case (.down, true) where consecutiveSuccesses >= rise: next = .up
        default: next = status
        }
        defer { status = next }
        return next != status
    }
}
