/// The debounced state of one tracked script or interface inside an instance.
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
/// The core is the source of truth for rise/fall: the runtime reports every raw run.
public struct Tracker: Hashable, Sendable {
    /// Script or interface.
    public enum Kind: String, Hashable, Sendable { case script, interface }

    /// Debounced status, before `reverse` is applied.
    public enum Status: String, Hashable, Sendable {
        /// No result yet (scripts only, without `init_fail`).
        case pending
        case up
        case down
    }

    /// Script or interface.
    public let kind: Kind
    /// Script or interface name.
    public let name: String
    /// Weight as configured (0 = FAULT while down).
    public let weight: Int
    /// keepalived `reverse`.
    public let reverse: Bool
    /// Successes needed to go up.
    public let rise: Int
    /// Failures needed to go down.
    public let fall: Int
    /// Current debounced status.
    public internal(set) var status: Status
    /// Consecutive raw results that disagree with `status` so far.
    public internal(set) var streak: Int = 0

    init(script: TrackedScript) {
        kind = .script
        name = script.name
        weight = script.weight
        reverse = script.reverse
        rise = script.rise
        fall = script.fall
        status = script.initFail ? .down : .pending
    }

    init(interface: TrackedInterface) {
        kind = .interface
        name = interface.name
        weight = interface.weight
        reverse = interface.reverse
        rise = 1
        fall = 1
        status = .up
    }

    /// Feeds one raw result; returns true when the debounced status changed.
    mutating func record(success: Bool) -> Bool {
        switch (status, success) {
        case (.pending, _):
            // keepalived seeds the counters so that the first result decides.
            status = success ? .up : .down
            streak = 0
            return true
        case (.up, true), (.down, false):
            streak = 0
            return false
        case (.up, false):
            streak += 1
            guard streak >= fall else { return false }
        case (.down, true):
            streak += 1
            guard streak >= rise else { return false }
        }
        status = success ? .up : .down
        streak = 0
        return true
    }

    /// Status with `reverse` applied: is the tracked thing healthy for this instance?
    public var isHealthy: Bool? {
        switch status {
        case .pending: nil
        case .up: !reverse
        case .down: reverse
        }
    }

    /// True when this tracker forces FAULT now (weight 0 and unhealthy).
    public var forcesFault: Bool { weight == 0 && isHealthy == false }

    /// True when a weight-0 tracker has no result yet: the instance may not become MASTER.
    public var holdsMaster: Bool { weight == 0 && isHealthy == nil }

    /// The priority adjustment this tracker contributes now: a positive weight while
    /// healthy, a negative weight while unhealthy, nothing otherwise.
    public var priorityAdjustment: Int {
        guard let healthy = isHealthy else { return 0 }
        if weight > 0, healthy { return weight }
        if weight < 0, !healthy { return weight }
        return 0
    }
}
