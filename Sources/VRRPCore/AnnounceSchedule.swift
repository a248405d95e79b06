/// What one `.announce` action asks of the edge, derived from the instance's
/// `AnnouncementSettings`: `repeat` frames per address now and, when
/// `secondBurstAfter` is set, `repeat` more after that delay.
public struct AnnounceSchedule: Hashable, Sendable {
    /// Frames per address in each burst.
    public var `repeat`: Int
    /// Delay of the second burst (keepalived `garp_master_delay`), nil for none.
    public var secondBurstAfter: Duration?

    public init(repeat: Int, secondBurstAfter: Duration? = nil) {
        self.repeat = `repeat`
        self.secondBurstAfter = secondBurstAfter
    }
}
