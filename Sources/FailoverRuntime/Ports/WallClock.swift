/// A reading of the wall clock (CLOCK_REALTIME), the clock in which the kernel stamps
/// received packets (`SO_TIMESTAMPNS`).
public struct WallClockTime: Sendable, Hashable, Comparable {
    /// Nanoseconds since the Unix epoch.
    public var nanosecondsSinceEpoch: Int64

    public init(nanosecondsSinceEpoch: Int64) { self.nanosecondsSinceEpoch = nanosecondsSinceEpoch }

    public static func < (a: Self, b: Self) -> Bool { a.nanosecondsSinceEpoch < b.nanosecondsSinceEpoch }

    /// How long before `later` this reading was (negative if after).
    public func duration(to later: WallClockTime) -> Duration {
        .nanoseconds(later.nanosecondsSinceEpoch &- nanosecondsSinceEpoch)
    }
}

/// Reads the wall clock. The engine uses it to place a packet's kernel receive
/// timestamp on its own clock: RFC 5798 §6.4.2 restarts the Master_Down_Timer when an
/// advert is *received*, which is when the kernel stamped it — not when a thread got
/// round to handling it.
public protocol WallClock: Sendable {
    func now() -> WallClockTime
}
