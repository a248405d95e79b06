import VRRPCore
import VRRPWire

/// The receive checks that come before the state machine: the packet's length, its
/// decoding (RFC 5798 §7.1 and RFC 3768 §7.1 field checks, in `VRRPWire`), which
/// instance it is for, and the unicast peer list. A packet that fails is counted under
/// keepalived's counter name and described for a rate-limited log line; one that
/// passes comes back as where its advert is kept and its route. Also sums the sockets' reports of
/// packets the kernel dropped for a full receive queue.
struct PacketIntake: Sendable {
    /// A packet that passed: its route, whose VRID is also where its advert is kept
    /// (`withAdvert`), and who sent it. Holds no copy of the advert or of the route.
    struct Accepted {
        var route: UnitTable.RouteIndex
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
    /// The last advert decoded per VRID (the payload's second byte), with what it was
    /// decoded from. A master sends the same bytes every interval, and decoding is a
    /// function of the payload, source and destination alone: a repeat is taken from
    /// here, so a backup neither decodes nor allocates an address list per packet.
    /// Only adverts that decoded are kept; a rejected packet is decoded every time.
    /// Every accepted packet's advert is here, for the engine to read in place.
    private var lastDecoded: [DecodedAdvert?] = []
    /// Adverts decoded (not taken from `lastDecoded`).
    private(set) var decodes = 0

    struct DecodedAdvert {
        var payload: [UInt8]
        var source: IPAddress
        var destination: IPAddress
        var advert: Advertisement

        /// Whether `packet` is the one this advert was decoded from; read in place.
        func decodes(_ packet: ReceivedPacket) -> Bool {
            payload == packet.payload && source == packet.source && destination == packet.destination
        }
    }

    /// Calls `body` with the advert of an accepted packet, read where it is kept:
    /// valid until the next `check`, which may replace it.
    func withAdvert<R>(_ accepted: Accepted, _ body: (Advertisement) -> R) -> R {
        body(lastDecoded[accepted.route.vrid]!.advert)
    }

    /// The receive checks of one packet. Reads the packet in place and copies nothing
    /// out of it or of `table` on the way to a pass: at 2,550 adverts a second on a
    /// backup, each copy of an array or a string is a retain and a release per packet.
    mutating func check(_ inbound: InboundPacket, in table: UnitTable) -> Result<Accepted, Rejected> {
        if let drops = inbound.receiveQueueDrops { account(drops, inbound) }
        // Longer than any advert (255 IPv6 addresses are 4,088 bytes): a bad length,
        // counted with the packets whose length disagrees with their address count.
        guard !inbound.isTruncated else {
            return .failure(Rejected(counter: "packet_len_err", instance: nil,
                                     message: "dropped packet from \(inbound.packet.source) on \(inbound.interface): longer than the receive buffer"))
        }
        // RFC 5798 §7.1 TTL 255 proves a multicast advert is on-link. Unicast peers
        // may be routed, and keepalived 2.2.7 neither sends 255 over IPv6 unicast
        // nor checks it (keepalived #941): for unicast the peer list is the check.
        let decoded = inbound.packet.destination.isMulticastGroup
            ? inbound.packet.decode { decode($0) } : decode(inbound.packet)
        let vrid: VirtualRouterID
        switch decoded {
        case .failure(let rejection):
            return .failure(Rejected(counter: rejection.counterName, instance: nil,
                                     message: "dropped packet from \(inbound.packet.source) on \(inbound.interface): \(rejection)"))
        case .success(let value):
            vrid = value
        }
        guard let route = table.routeIndex(interface: inbound.interface, family: inbound.packet.source.family, vrid: vrid) else {
            let rejection = AdvertisementRejection.virtualRouterIDNotConfigured(received: vrid.rawValue)
            return .failure(Rejected(counter: rejection.counterName, instance: nil,
                                     message: "dropped packet from \(inbound.packet.source) on \(inbound.interface): \(rejection)"))
        }
        guard table.admits(inbound.packet.source, route) else {
            return .failure(Rejected(counter: "unicast_peer_err", instance: table.route(route).instance,
                                     message: "advert from \(inbound.packet.source), which is not a unicast_peer"))
        }
        return .success(Accepted(route: route, source: inbound.packet.source))
    }

    /// `Advertisement.decode` of the packet into its VRID's slot of `lastDecoded` (the
    /// VRID is returned), or that slot as it is when it holds the advert decoded from
    /// the same payload, source and destination. A VRID is never 0 and is the
    /// payload's second byte, so it names the slot.
    private mutating func decode(_ packet: ReceivedPacket) -> Result<VirtualRouterID, AdvertisementRejection> {
        // Compared in place: copying the slot out would retain each of its arrays.
        if packet.payload.count > 1, let vrid = VirtualRouterID(packet.payload[1]),
           Int(vrid.rawValue) < lastDecoded.count, lastDecoded[Int(vrid.rawValue)]?.decodes(packet) == true {
            return .success(vrid)
        }
        decodes += 1
        let advert: Advertisement
        do {
            advert = try Advertisement.decode(message: packet.payload, source: packet.source, destination: packet.destination)
        } catch {
            return .failure(error)
        }
        if lastDecoded.isEmpty { lastDecoded = Array(repeating: nil, count: 256) }
        lastDecoded[Int(advert.virtualRouterID.rawValue)] = DecodedAdvert(
            payload: packet.payload, source: packet.source, destination: packet.destination, advert: advert)
        return .success(advert.virtualRouterID)
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
