import VRRPCore

/// One state change as the notify scripts and the FIFO receive it: keepalived's
/// four notify arguments. The core's `StateNotification` also says why; delivery
/// needs only what goes into argv.
public struct NotifyEvent: Sendable, Hashable {
    /// `INSTANCE` for a `vrrp_instance`, `GROUP` for a `vrrp_sync_group`.
    public typealias Scope = VRRPCore.StateNotification.Scope
    /// The announced state, spelled as keepalived passes it.
    public typealias State = VRRPCore.StateNotification.State

    public var scope: Scope
    /// Instance or sync-group name.
    public var name: String
    public var state: State
    /// Effective priority (keepalived passes 0 for groups).
    public var priority: Int
    /// The `TransitionHistory` record of the change, which learns how each notify
    /// call ended; nil when no history is kept (and for group notifications).
    public var transition: UInt64?

    public init(scope: Scope, name: String, state: State, priority: Int, transition: UInt64? = nil) {
        self.scope = scope
        self.name = name
        self.state = state
        self.priority = priority
        self.transition = transition
    }

    /// The four arguments the generic `notify` script gets after its own.
    public var notifyArguments: [String] { [scope.rawValue, name, state.rawValue, String(priority)] }

    /// The `notify_fifo` line: `INSTANCE "name" MASTER 100`.
    public var fifoLine: String { "\(scope.rawValue) \"\(name)\" \(state.rawValue) \(priority)" }
}
