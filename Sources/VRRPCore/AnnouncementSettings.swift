/// The configured `garp_*` settings of one instance: when and how often to send
/// gratuitous ARPs (IPv4) or unsolicited neighbour advertisements (IPv6) for the
/// virtual addresses. The core turns them into one `AnnounceSchedule` per
/// `.announce` action; the edge sends the frames.
public struct AnnouncementSettings: Hashable, Sendable {
    /// `garp_master_repeat`: frames per address sent at once on becoming MASTER.
    public var masterRepeat: Int
    /// `garp_master_delay`: when to send the second burst after becoming MASTER
    /// (nil: no second burst).
    public var masterDelay: Duration?
    /// `garp_master_refresh`: re-announce periodically while MASTER (nil: never).
    public var masterRefresh: Duration?
    /// `garp_master_refresh_repeat`: frames per address in each refresh.
    public var masterRefreshRepeat: Int
    /// `garp_lower_prio_repeat`: frames per address sent when a MASTER hears a
    /// lower-priority (or priority 0) advert, i.e. when another node may believe it
    /// owns the addresses, and as many again one Master_Down_Interval later, after
    /// that node's last announcement. 0 disables. keepalived leaves this off by default; we
    /// default to `masterRepeat` so the winner of a healed split brain announces
    /// itself (keepalived #166, #2649).
    public var lowerPriorityRepeat: Int

    public init(
        masterRepeat: Int = 5,
        masterDelay: Duration? = .seconds(5),
        masterRefresh: Duration? = nil,
        masterRefreshRepeat: Int = 1,
        lowerPriorityRepeat: Int = 5
    ) {
        self.masterRepeat = masterRepeat
        self.masterDelay = masterDelay
        self.masterRefresh = masterRefresh
        self.masterRefreshRepeat = masterRefreshRepeat
        self.lowerPriorityRepeat = lowerPriorityRepeat
    }
}
