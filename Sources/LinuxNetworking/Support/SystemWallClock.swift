import FailoverRuntime
import Glibc

/// CLOCK_REALTIME, the clock of the kernel's `SO_TIMESTAMPNS` packet stamps.
public struct SystemWallClock: WallClock {
    public init() {}

    public func now() -> WallClockTime {
        var t = timespec()
        clock_gettime(CLOCK_REALTIME, &t)
        return WallClockTime(nanosecondsSinceEpoch: Int64(t.tv_sec) * 1_000_000_000 + Int64(t.tv_nsec))
    }
}
