import VRRPWire

extension VirtualRouter {
    /// RFC 3768 §6.1 / RFC 5798 §6.1 Skew_Time, computed the way keepalived does it
    /// (integer microseconds, truncated) so mixed clusters agree to the microsecond:
    /// v2 `(256 − priority) / 256` s; v3 `((256 − priority) × Master_Adver_Interval) / 256`.
    public var skewTime: Duration {
        Self.skewTime(priorityTerm: 256 - Int64(effectivePriority.rawValue),
                      version: configuration.version, interval: masterAdvertisementInterval)
    }

    /// keepalived's `VRRP_TIMER_SKEW_MIN`: the skew of priority 255, used for the
    /// first down timer of a `state MASTER` start.
    public var minimumSkewTime: Duration {
        Self.skewTime(priorityTerm: 1, version: configuration.version, interval: masterAdvertisementInterval)
    }

    /// RFC 5798 §6.1 Master_Down_Interval: `down_timer_adverts` (3 in the RFC) ×
    /// Master_Adver_Interval + Skew_Time.
    public static func masterDownInterval(interval: Duration, priority: Priority, version: VRRPVersion,
                                          downTimerAdverts: Int) -> Duration {
        interval * downTimerAdverts
            + skewTime(priorityTerm: 256 - Int64(priority.rawValue), version: version, interval: interval)
    }

    mutating func updateMasterDownInterval() {
        masterDownInterval = Self.masterDownInterval(
            interval: masterAdvertisementInterval, priority: effectivePriority,
            version: configuration.version, downTimerAdverts: configuration.downTimerAdverts)
    }

    static func skewTime(priorityTerm: Int64, version: VRRPVersion, interval: Duration) -> Duration {
        switch version {
        case .v2:
            return .microseconds(priorityTerm * 1_000_000 / 256)
        case .v3:
            // 625/16 µs per centisecond-priority unit = 10 000 µs / 256.
            return .microseconds(priorityTerm * interval.wholeCentiseconds * 625 / 16)
        }
    }
}
