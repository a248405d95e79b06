import VRRPWire

/// An action from a sync group: a member's action (`instance` set) or a
/// group-level notify (`instance` nil).
public struct SyncGroupAction: Hashable, Sendable {
    /// The member instance the action belongs to; nil for GROUP notifies.
    public var instance: String?
    /// The action.
    public var action: VirtualRouterAction

    public init(instance: String?, action: VirtualRouterAction) {
        self.instance = instance
        self.action = action
    }
}
