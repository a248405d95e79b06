import VRRPWire

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
