/// A VRRP packet as the receive path hands it over: the IP payload plus the IP
/// header fields the receive checks need (RFC 5798 §7.1). Raw sockets give these
/// from the IPv4 header or, for IPv6, from `IPV6_RECVHOPLIMIT`/`IPV6_RECVPKTINFO`.
public struct ReceivedPacket: Hashable, Sendable {
    /// The VRRP message: the IP payload, without IP header.
    public var payload: [UInt8]
    /// The IP source address (the sending router's primary address).
    public var source: IPAddress
    /// The IP destination: the VRRP multicast group, or our address for unicast.
    public var destination: IPAddress
    /// The IPv4 TTL or IPv6 hop limit the packet arrived with.
    public var ttlOrHopLimit: UInt8

    public init(payload: [UInt8], source: IPAddress, destination: IPAddress, ttlOrHopLimit: UInt8) {
        self.payload = payload
        self.source = source
        self.destination = destination
        self.ttlOrHopLimit = ttlOrHopLimit
    }

    /// Every receive check that needs no instance settings: TTL/hop limit, then
    /// `Advertisement.decode(message:source:destination:)`. The engine uses the
    /// decoded VRID to find the instance, whose `advertisementReceived` makes the
    /// checks against its settings.
    public func decode() -> Result<Advertisement, AdvertisementRejection> {
        decode { packet in
            Result { () throws(AdvertisementRejection) in
                try Advertisement.decode(message: packet.payload, source: packet.source, destination: packet.destination)
            }
        }
    }

    /// `decode()` with the message decoded by `decodeMessage` (which must give what
    /// `Advertisement.decode(message:source:destination:)` gives, or where a cache of
    /// it keeps that) once the TTL check has passed.
    @inlinable
    public func decode<Decoded>(
        _ decodeMessage: (ReceivedPacket) -> Result<Decoded, AdvertisementRejection>
    ) -> Result<Decoded, AdvertisementRejection> {
        guard ttlOrHopLimit == Advertisement.requiredTTL else {
            return .failure(.ttlNot255(received: ttlOrHopLimit))
        }
        return decodeMessage(self)
    }
}

extension ReceivedPacket {
    /// The packet inside an IPv4 datagram (what a raw IPv4 socket delivers).
    public init(_ datagram: IPv4Datagram) {
        self.init(payload: datagram.payload, source: .v4(datagram.source),
                  destination: .v4(datagram.destination), ttlOrHopLimit: datagram.ttl)
    }

    /// The packet inside an IPv6 packet (as captured on the wire).
    public init(_ packet: IPv6Packet) {
        self.init(payload: packet.payload, source: .v6(packet.source),
                  destination: .v6(packet.destination), ttlOrHopLimit: packet.hopLimit)
    }
}
