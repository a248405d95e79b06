import VRRPCore

/// Virtual time for simulations: it moves only when told to, so convergence times
/// can be asserted exactly.
public struct ManualClock: Sendable {
    /// The current virtual time.
    public private(set) var now: VRRPInstant

    public init(now: VRRPInstant = .zero) { self.now = now }

    /// Moves time forward to `instant` (never backwards).
    public mutating func advance(to instant: VRRPInstant) {
        precondition(instant >= now, "virtual time never runs backwards")
        now = instant
    }

    /// Moves time forward by `duration`.
    public mutating func advance(by duration: Duration) { advance(to: now + duration) }
}
