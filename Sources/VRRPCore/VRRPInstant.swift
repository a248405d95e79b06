/// A point in time as the core sees it: an offset from an arbitrary origin the
/// caller chooses (the runtime maps `ContinuousClock` onto it; the simulator uses
/// a manual clock). The core never reads a clock itself.
public struct VRRPInstant: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Elapsed time since the caller's origin.
    public var offset: Duration

    public init(offset: Duration) { self.offset = offset }

    /// The caller's origin.
    public static let zero = VRRPInstant(offset: .zero)

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.offset < rhs.offset }

    public static func + (lhs: Self, rhs: Duration) -> Self { VRRPInstant(offset: lhs.offset + rhs) }

    public static func - (lhs: Self, rhs: Self) -> Duration { lhs.offset - rhs.offset }

    public var description: String { "t+\(offset)" }
}

extension Duration {
    /// Whole centiseconds, truncated: the unit of the VRRPv3 Max Adver Int field.
    var wholeCentiseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 100 + attoseconds / 10_000_000_000_000_000
    }
}
