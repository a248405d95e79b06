import VRRPWire

/// An action tagged with the instance it belongs to: what a lone router's or a sync
/// group's member's event returns (`instance` set), or a sync group's own notify
/// (`instance` nil). The engine executes both kinds on one path.
public struct TaggedAction: Hashable, Sendable {
    /// The member instance the action belongs to; nil for GROUP notifies.
    public var instance: String?
    /// The action.
    public var action: VirtualRouterAction

    public init(instance: String?, action: VirtualRouterAction) {
        self.instance = instance
        self.action = action
    }
}
