import VRRPWire

/// Who this node is, given explicitly so environment parsing stays pure. The
/// executable fills it from the system (`SystemNodeIdentity`) or from flags.
public struct NodeIdentity: Hashable, Sendable {
    /// The node's host name (spreading falls back to it without an address).
    public var hostname: String
    /// The node's primary address on the VRRP interface: the default check connects
    /// to it, unicast adverts come from it, master spreading starts from it.
    public var primaryAddress: IPAddress?
    /// The interface to use when `OPENSHIFT_HA_NETWORK_INTERFACE` is not set.
    public var interface: String?

    public init(hostname: String, primaryAddress: IPAddress? = nil, interface: String? = nil) {
        self.hostname = hostname
        self.primaryAddress = primaryAddress
        self.interface = interface
    }
}
