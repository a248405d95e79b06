/// One tracked script or interface inside an instance: its weight and `reverse`
/// over the shared rise/fall verdict (`RiseFall`).
/// The core is the source of truth for rise/fall: the runtime reports every raw run.
public struct Tracker: Hashable, Sendable {
    /// Script or interface.
    public enum Kind: String, Hashable, Sendable { case script, interface }

    /// Debounced status, before `reverse` is applied.
    public typealias Status = RiseFall.Status

    /// Script or interface.
    public let kind: Kind
    /// Script or interface name.
    public let name: String
    /// Weight as configured (0 = FAULT while down).
    public let weight: Int
    /// keepalived `reverse`.
    public let reverse: Bool
    /// The rise/fall verdict of the raw results (interfaces: every link event decides).
    public internal(set) var verdict: RiseFall

    /// Current debounced status.
    public var status: Status { verdict.status }

    init(script: TrackedScript) {
        kind = .script
        name = script.name
        weight = script.weight
        reverse = script.reverse
        verdict = RiseFall(rise: script.rise, fall: script.fall, initFail: script.initFail)
    }

    init(interface: TrackedInterface) {
        kind = .interface
        name = interface.name
        weight = interface.weight
        reverse = interface.reverse
        verdict = RiseFall(following: .up)
    }

    /// Feeds one raw result; returns true when the debounced status changed.
    mutating func record(success: Bool) -> Bool { verdict.record(success: success) }

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
