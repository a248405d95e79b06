/// The state of one network interface as RTM_NEWLINK reports it.
public struct LinkStatus: Hashable, Sendable, CustomStringConvertible {
    /// Kernel interface index.
    public var index: Int32
    /// Interface name (IFLA_IFNAME); tracked interfaces are matched by name, so an
    /// interface created after startup is recognised when it appears.
    public var name: String
    /// IFF_UP: administratively up (`ip link set up`).
    public var isAdministrativelyUp: Bool
    /// IFF_LOWER_UP: the link layer has carrier.
    public var hasCarrier: Bool
    /// IFLA_OPERSTATE (RFC 2863: 6 = up, 2 = down, 0 = unknown …).
    public var operationalState: UInt8?

    /// Usable for VRRP: up with carrier (keepalived's FAULT condition is the negation).
    public var isUsable: Bool { isAdministrativelyUp && hasCarrier }

    public var description: String {
        "\(name)#\(index) \(isAdministrativelyUp ? "UP" : "DOWN")\(hasCarrier ? ",LOWER_UP" : "")"
    }
}

/// What `LinkMonitor` reports.
public enum LinkEvent: Hashable, Sendable {
    /// A link appeared or changed (also sent for every link at start and after a resync).
    case linkChanged(LinkStatus)
    /// A link was deleted.
    case linkRemoved(LinkStatus)
    /// An address appeared on `interface` (also at start and after a resync).
    case addressAdded(InterfaceAddress, interface: String?)
    /// An address was removed from `interface`.
    case addressRemoved(InterfaceAddress, interface: String?)
}
