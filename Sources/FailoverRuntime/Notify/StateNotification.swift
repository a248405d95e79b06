/// One state change to announce (keepalived's notify arguments).
public struct StateNotification: Sendable, Hashable {
    /// `INSTANCE` for a `vrrp_instance`, `GROUP` for a `vrrp_sync_group`.
    public enum Scope: String, Sendable, Hashable {
        case instance = "INSTANCE"
        case group = "GROUP"
    }

    /// The announced state, spelled as keepalived passes it.
    public enum State: String, Sendable, Hashable, CaseIterable {
        case master = "MASTER"
        case backup = "BACKUP"
        case fault = "FAULT"
        case stop = "STOP"
    }

    public var scope: Scope
    /// Instance or sync-group name.
    public var name: String
    public var state: State
    /// Effective priority (keepalived passes 0 for groups).
    public var priority: Int

    public init(scope: Scope, name: String, state: State, priority: Int) {
        self.scope = scope
        self.name = name
        self.state = state
        self.priority = priority
    }

    /// The four arguments the generic `notify` script gets after its own.
    public var notifyArguments: [String] { [scope.rawValue, name, state.rawValue, String(priority)] }

    /// The `notify_fifo` line: `INSTANCE "name" MASTER 100`.
    public var fifoLine: String { "\(scope.rawValue) \"\(name)\" \(state.rawValue) \(priority)" }
}
