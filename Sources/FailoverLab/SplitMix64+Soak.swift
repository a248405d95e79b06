import SeededRandom

extension SplitMix64 {
    /// A duration uniformly between `low` and `high` milliseconds: the soak's pauses
    /// between faults, the same on every machine for the same seed.
    mutating func milliseconds(_ low: Int, _ high: Int) -> Duration {
        .milliseconds(Int.random(in: low...high, using: &self))
    }
}
