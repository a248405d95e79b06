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
