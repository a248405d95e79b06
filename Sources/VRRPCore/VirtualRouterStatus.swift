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

/// One state change with its cause and time.
public struct VirtualRouterTransition: Hashable, Sendable {
    /// State before.
    public var from: VirtualRouterState
    /// State after.
    public var to: VirtualRouterState
    /// Why.
    public var reason: TransitionReason
    /// When (caller's time base).
    public var at: VRRPInstant

    public init(from: VirtualRouterState, to: VirtualRouterState, reason: TransitionReason, at: VRRPInstant) {
        self.from = from
        self.to = to
        self.reason = reason
        self.at = at
    }
}
