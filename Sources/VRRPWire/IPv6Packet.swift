/// An IPv6 packet (RFC 8200) without extension headers. Raw IPv6 sockets never
/// deliver this header (hop limit comes from `IPV6_RECVHOPLIMIT`); it exists for
/// frames: the unsolicited NA and pcap captures.
public struct IPv6Packet: Hashable, Sendable {
    /// Source address.
    public var source: IPv6Address
    /// Destination address.
    public var destination: IPv6Address
    /// Hop limit; VRRP and neighbour discovery send and require 255.
    public var hopLimit: UInt8
    /// The protocol of the payload (112 VRRP, 58 ICMPv6).
    public var nextHeader: UInt8
    /// Traffic class byte.
    public var trafficClass: UInt8
    /// The payload, cut to the header's payload length.
    public var payload: [UInt8]

    public init(
        source: IPv6Address, destination: IPv6Address, hopLimit: UInt8 = 255,
        nextHeader: UInt8, trafficClass: UInt8 = 0, payload: [UInt8]
    ) {
        self.source = source
        self.destination = destination
        self.hopLimit = hopLimit
        self.nextHeader = nextHeader
        self.trafficClass = trafficClass
        self.payload = payload
    }

    /// Parses a packet; nil when it is not IPv6 or is shorter than its header says.
    public init?(parsing bytes: [UInt8]) {
        guard bytes.count >= 40, bytes[0] >> 4 == 6 else { return nil }
        let payloadLength = Int(bytes[4]) << 8 | Int(bytes[5])
        guard 40 + payloadLength <= bytes.count,
              let src = IPv6Address(bytes: bytes[8..<24]),
              let dst = IPv6Address(bytes: bytes[24..<40]) else { return nil }
        source = src
        destination = dst
        trafficClass = (bytes[0] & 0x0F) << 4 | bytes[1] >> 4
        nextHeader = bytes[6]
        hopLimit = bytes[7]
        payload = Array(bytes[40..<(40 + payloadLength)])
    }

    /// The packet with a 40-byte header (flow label 0).
    public var bytes: [UInt8] {
        let length = UInt16(clamping: payload.count)
        return [0x60 | trafficClass >> 4, trafficClass << 4, 0, 0,
                UInt8(length >> 8), UInt8(truncatingIfNeeded: length), nextHeader, hopLimit]
            + source.bytes + destination.bytes + payload
    }
}
