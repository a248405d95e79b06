import VRRPCore

/// One action a router returned, stamped with where and when.
public struct SimulationTraceEntry: Hashable, Sendable {
    /// Virtual time.
    public var at: VRRPInstant
    /// Node index.
    public var node: Int
    /// Node incarnation (restart count).
    public var incarnation: Int
    /// Instance name.
    public var instance: String
    /// The action.
    public var action: VirtualRouterAction
}

/// One router state change observed by the simulator (from the router's state,
/// independently of the notify actions, so the two can be compared).
public struct SimulationStateChange: Hashable, Sendable {
    /// Virtual time.
    public var at: VRRPInstant
    /// Node index.
    public var node: Int
    /// Node incarnation (restart count).
    public var incarnation: Int
    /// Instance name.
    public var instance: String
    /// State before.
    public var from: VirtualRouterState
    /// State after.
    public var to: VirtualRouterState
}
