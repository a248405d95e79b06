import VRRPCore
import VRRPWire

/// The receive checks that come before the state machine: the packet's length, its
/// decoding (RFC 5798 §7.1 and RFC 3768 §7.1 field checks, in `VRRPWire`), which
/// instance it is for, and the unicast peer list. A packet that fails is counted under
/// keepalived's counter name and described for a rate-limited log line; one that
/// passes comes back as the advert and its route. Also sums the sockets' reports of
/// packets the kernel dropped for a full receive queue.
struct PacketIntake: Sendable {
    /// A packet that passed: the advert, where it goes, who sent it.
    struct Accepted {
        var advert: Advertisement
        var route: UnitTable.Route
        var source: IPAddress
    }

    /// A packet that did not: the counter it went to, its instance if known, and what to log.
    struct Rejected: Error {
        var counter: String
        var instance: String?
        var message: String
    }

    /// Per receiving socket (interface and family), its latest `SO_RXQ_OVFL` count. The
    /// kernel reports it with every packet: a short list searched in place, so the
    /// check builds no key and hashes nothing per packet.
    private var socketDrops: [(interface: String, family: AddressFamily, drops: UInt32)] = []
    /// Those drops summed over time: a socket opened again (its interface was
    /// recreated) counts from zero, and the total must not go back.
    private(set) var receiveQueueDrops: UInt64 = 0

    mutating func check(_ inbound: InboundPacket, in table: UnitTable) -> Result<Accepted, Rejected> {
        if let drops = inbound.receiveQueueDrops { account(drops, inbound) }
        let packet = inbound.packet
        // Longer than any advert (255 IPv6 addresses are 4,088 bytes): a bad length,
        // counted with the packets whose length disagrees with their address count.
        guard !inbound.isTruncated else {
            return .failure(Rejected(counter: "packet_len_err", instance: nil,
                                     message: "dropped packet from \(packet.source) on \(inbound.interface): longer than the receive buffer"))
        }
        // RFC 5798 §7.1 TTL 255 proves a multicast advert is on-link. Unicast peers
        // may be routed, and keepalived 2.2.7 neither sends 255 over IPv6 unicast
        // nor checks it (keepalived #941): for unicast the peer list is the check.
        let decoded = packet.destination.isMulticastGroup
            ? packet.decode()
            : Result { () throws(AdvertisementRejection) in
                try Advertisement.decode(message: packet.payload, source: packet.source, destination: packet.destination)
            }
        let advert: Advertisement
        switch decoded {
        case .failure(let rejection):
            return .failure(Rejected(counter: rejection.counterName, instance: nil,
                                     message: "dropped packet from \(packet.source) on \(inbound.interface): \(rejection)"))
        case .success(let value):
            advert = value
        }
        guard let route = table.route(interface: inbound.interface, family: packet.source.family, vrid: advert.virtualRouterID) else {
            let rejection = AdvertisementRejection.virtualRouterIDNotConfigured(received: advert.virtualRouterID.rawValue)
            return .failure(Rejected(counter: rejection.counterName, instance: nil,
                                     message: "dropped packet from \(packet.source) on \(inbound.interface): \(rejection)"))
        }
        let peers = route.context.instance.unicastPeers
        if !peers.isEmpty, !peers.contains(packet.source) {
            return .failure(Rejected(counter: "unicast_peer_err", instance: route.instance,
                                     message: "advert from \(packet.source), which is not a unicast_peer"))
        }
        return .success(Accepted(advert: advert, route: route, source: packet.source))
    }

    private mutating func account(_ drops: UInt32, _ inbound: InboundPacket) {
        let family = inbound.packet.source.family
        guard let i = socketDrops.firstIndex(where: { $0.family == family && $0.interface == inbound.interface }) else {
            receiveQueueDrops += UInt64(drops)
            socketDrops.append((inbound.interface, family, drops))
            return
        }
        let last = socketDrops[i].drops
        guard drops != last else { return }
        receiveQueueDrops += UInt64(drops >= last ? drops - last : drops)
        socketDrops[i].drops = drops
    }
}

extension IPAddress {
    var isMulticastGroup: Bool {
        switch self {
        case .v4(let a): a.isMulticast
        case .v6(let a): a.isMulticast
        }
    }
}
