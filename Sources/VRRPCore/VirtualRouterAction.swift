import VRRPWire

/// What the core asks the edge to do, in the order returned. The runtime hands
/// them to one executor; the core never performs them itself.
public enum VirtualRouterAction: Hashable, Sendable {
    /// Send this advertisement now (multicast or to the unicast peers).
    case sendAdvertisement(Advertisement)
    /// Configure these virtual addresses on the interface.
    case addVirtualAddresses([IPAddress])
    /// Remove these virtual addresses from the interface.
    case removeVirtualAddresses([IPAddress])
    /// Start a gratuitous ARP / unsolicited NA schedule for these addresses.
    case announce([IPAddress], AnnounceSchedule)
    /// Run the notify scripts for this state change (in order, once).
    case notify(StateNotification)
    /// Log a configuration warning.
    case warn(VirtualRouterWarning)
}

/// A state change as notify scripts see it: keepalived's
/// `INSTANCE|GROUP <name> MASTER|BACKUP|FAULT|STOP <priority>`, plus the reason.
public struct StateNotification: Hashable, Sendable, CustomStringConvertible {
    /// keepalived's first notify argument.
    public enum Scope: String, Hashable, Sendable {
        case instance = "INSTANCE"
        case group = "GROUP"
    }

    /// keepalived's third notify argument.
    public enum State: String, Hashable, Sendable {
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

/// Why a virtual router changed state; shown in logs, status and notify records.
public enum TransitionReason: Hashable, Sendable, CustomStringConvertible {
    /// Startup as BACKUP (RFC 5798 §6.4.1).
    case startup
    /// Startup of an address owner (priority 255) or `state MASTER` taking over at once.
    case addressOwnerStartup
    /// Master_Down_Timer fired: no advert from a master in time.
    case masterDownTimerExpired
    /// The master released (priority 0) and the skew time passed.
    case masterReleased(by: IPAddress)
    /// A master heard a better advert: higher priority, or equal from a higher address.
    case preemptedBy(IPAddress, priority: Priority)
    /// A tracked script went down (weight 0).
    case scriptFailed(String)
    /// A tracked interface went down (weight 0).
    case interfaceDown(String)
    /// Every fault cleared.
    case faultsCleared
    /// A sync group moved this member along with another member.
    case syncGroup(group: String, member: String)
    /// Orderly shutdown.
    case shutdown

    public var description: String {
        switch self {
        case .startup: "startup"
        case .addressOwnerStartup: "address owner / state MASTER startup"
        case .masterDownTimerExpired: "master down timer expired"
        case let .masterReleased(by): "master \(by) released (priority 0)"
        case let .preemptedBy(address, priority): "preempted by \(address) with priority \(priority)"
        case let .scriptFailed(name): "tracked script \(name) failed"
        case let .interfaceDown(name): "tracked interface \(name) down"
        case .faultsCleared: "all faults cleared"
        case let .syncGroup(group, member): "sync group \(group) follows member \(member)"
        case .shutdown: "shutdown"
        }
    }
}
