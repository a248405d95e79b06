import VRRPWire

/// A read-only snapshot of one virtual router for `/status`, metrics and logs.
public struct VirtualRouterStatus: Hashable, Sendable {
    /// Instance name.
    public var name: String
    /// VRID.
    public var virtualRouterID: VirtualRouterID
    /// Current state.
    public var state: VirtualRouterState
    /// Priority after tracking (what our adverts carry).
    public var effectivePriority: Priority
    /// Configured priority.
    public var basePriority: Priority
    /// The current master's address as far as this router knows (ourselves as MASTER).
    public var masterAddress: IPAddress?
    /// Master_Adver_Interval in use (v3 backups adopt the master's).
    public var masterAdvertisementInterval: Duration
    /// Every tracker with its debounced status.
    public var trackers: [Tracker]
    /// The last state change.
    public var lastTransition: VirtualRouterTransition?
    /// Protocol counters.
    public var statistics: VirtualRouterStatistics
}
