/// When to announce a MASTER's addresses, keepalived's way: `garp_master_repeat`
/// announcements at once, the same number again after `garp_master_delay`, then
/// `garp_master_refresh_repeat` every `garp_master_refresh` while MASTER.
public struct AnnouncementSchedule: Hashable, Sendable {
    /// Announcements per address in each burst (`garp_master_repeat`, default 5).
    public var repeatCount: Int
    /// Wait before the second burst (`garp_master_delay`, default 5 s; zero: no second burst).
    public var delay: Duration
    /// Interval of periodic refreshes (`garp_master_refresh`; nil: off, the default).
    public var refreshInterval: Duration?
    /// Announcements per address in each refresh (`garp_master_refresh_repeat`, default 1).
    public var refreshRepeatCount: Int
    /// Pause between announcements within a burst (`garp_interval`/`gna_interval`, default 0).
    public var spacing: Duration

    public init(repeatCount: Int = 5, delay: Duration = .seconds(5), refreshInterval: Duration? = nil,
                refreshRepeatCount: Int = 1, spacing: Duration = .zero) {
        self.repeatCount = max(0, repeatCount)
        self.delay = delay
        self.refreshInterval = refreshInterval
        self.refreshRepeatCount = max(0, refreshRepeatCount)
        self.spacing = spacing
    }

    /// keepalived's defaults.
    public static let keepalivedDefault = AnnouncementSchedule()

    /// One burst: wait `after` (from the previous burst), then send `count` rounds.
    public struct Burst: Hashable, Sendable {
        /// Wait before this burst, measured from the end of the previous one.
        public var after: Duration
        /// Announcements per address in this burst.
        public var count: Int
        public init(after: Duration, count: Int) {
            self.after = after
            self.count = count
        }
    }

    /// The bursts before refreshing starts: the immediate one and the delayed one.
    public var initialBursts: [Burst] {
        var bursts = [Burst(after: .zero, count: repeatCount)]
        if delay > .zero { bursts.append(Burst(after: delay, count: repeatCount)) }
        return bursts.filter { $0.count > 0 }
    }

    /// The burst repeated forever afterwards, if refreshing is on.
    public var refreshBurst: Burst? {
        guard let refreshInterval, refreshInterval > .zero, refreshRepeatCount > 0 else { return nil }
        return Burst(after: refreshInterval, count: refreshRepeatCount)
    }
}
