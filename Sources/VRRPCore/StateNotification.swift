import VRRPWire

/// A state change as notify scripts see it: keepalived's
/// `INSTANCE|GROUP <name> MASTER|BACKUP|FAULT|STOP <priority>`, plus the reason.
public struct StateNotification: Hashable, Sendable, CustomStringConvertible {
    /// keepalived's first notify argument.
    public enum Scope: String, Hashable, Sendable {
        case instance = "INSTANCE"
        case group = "GROUP"
    }

    /// keepalived's third notify argument.
    public enum State: String, Hashable, Sendable, CaseIterable {
        case master = "MASTER"
        case backup = "BACKUP"
        case fault = "FAULT"
        case stop = "STOP"
    }

    /// Instance or sync group.
    public var scope: Scope
    /// The `vrrp_instance` or `vrrp_sync_group` name.
    public var name: String
    /// The state entered.
    public var state: State
    /// Effective priority after the change (always 0 for groups, as keepalived does).
    public var priority: Priority
    /// Why the change happened.
    public var reason: TransitionReason

    public init(scope: Scope, name: String, state: State, priority: Priority, reason: TransitionReason) {
        self.scope = scope
        self.name = name
        self.state = state
        self.priority = priority
        self.reason = reason
    }

    /// The four arguments keepalived passes to a generic `notify` script.
    public var notifyArguments: [String] {
        [scope.rawValue, name, state.rawValue, String(priority.rawValue)]
    }

    public var description: String { notifyArguments.joined(separator: " ") + " (\(reason))" }
}

extension StateNotification.State {
    /// The notification state of a router state; INIT (after shutdown) is STOP.
    public init(_ state: VirtualRouterState) {
        switch state {
        case .master: self = .master
        case .backup: self = .backup
        case .fault: self = .fault
        case .initialize: self = .stop
        }
    }
}
