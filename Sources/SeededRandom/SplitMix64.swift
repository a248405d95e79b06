/// A small deterministic PRNG (SplitMix64, Steele/Lea/Flood 2014) so every
/// simulated run and every lab soak is reproducible from its seed. The daemon's own
/// modules have no randomness; the simulation (FailoverTestKit) and the lab's fault
/// soak (FailoverLab) draw from this.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    /// The generator state; equal states produce equal sequences.
    public private(set) var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// True with probability `p` (0…1).
    public mutating func chance(_ p: Double) -> Bool {
        guard p > 0 else { return false }
        return Double(next() >> 11) / Double(1 << 53) < p
    }

    /// A duration uniformly in `range`, with microsecond resolution.
    public mutating func duration(in range: ClosedRange<Duration>) -> Duration {
        let lo = range.lowerBound, span = range.upperBound - range.lowerBound
        let spanMicros = span.components.seconds * 1_000_000 + span.components.attoseconds / 1_000_000_000_000
        guard spanMicros > 0 else { return lo }
        return lo + .microseconds(Int64.random(in: 0...spanMicros, using: &self))
    }
}
