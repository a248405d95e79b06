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
    /// Another router on our VRID looks like a second master or another cluster:
    /// count and log it (nothing changes on the wire or the interface).
    case peerConflict(PeerConflict)
}
