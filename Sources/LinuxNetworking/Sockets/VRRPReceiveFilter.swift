import VRRPWire

/// Which packets a subscriber of a shared `VRRPSocket` wants. One socket serves
/// every instance on an interface and family; each instance subscribes with its
/// VRID and, in unicast mode, its peer list.
public struct VRRPReceiveFilter: Hashable, Sendable {
    /// Only packets whose VRID byte equals this; nil accepts every VRID.
    public var virtualRouterID: VirtualRouterID?
    /// Unicast peers (`unicast_peer`): packets from any other source are rejected
    /// and counted. nil accepts every source (multicast mode).
    public var peers: Set<IPAddress>?

    public init(virtualRouterID: VirtualRouterID? = nil, peers: Set<IPAddress>? = nil) {
        self.virtualRouterID = virtualRouterID
        self.peers = peers
    }

    /// How `packet` fares under this filter.
    func classify(_ packet: ReceivedVRRPPacket) -> Verdict {
        if let vrid = virtualRouterID, packet.virtualRouterIDByte != vrid.rawValue { return .otherRouter }
        if let peers, !peers.contains(packet.source) { return .rejectedNonPeer }
        return .deliver
    }

    enum Verdict { case deliver, otherRouter, rejectedNonPeer }
}
