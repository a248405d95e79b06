/// The state of one virtual router on this node (RFC 5798 §6.4 plus keepalived's FAULT).
public enum VirtualRouterState: String, Hashable, Sendable, CustomStringConvertible {
    /// RFC 5798 §6.4.1 Initialize: not started yet, or stopped after shutdown.
    case initialize = "INIT"
    /// RFC 5798 §6.4.2 Backup: monitoring the master, owning no virtual address.
    case backup = "BACKUP"
    /// RFC 5798 §6.4.3 Master: advertising and owning the virtual addresses.
    case master = "MASTER"
    /// keepalived FAULT: a tracked script or interface forbids taking part.
    case fault = "FAULT"

    public var description: String { rawValue }
}
