/// An Ethernet II frame (no 802.1Q tag, no FCS), as AF_PACKET sockets and pcap
/// files with LINKTYPE_ETHERNET carry it.
public struct EthernetFrame: Hashable, Sendable {
    /// The receiving station or group.
    public var destination: MACAddress
    /// The sending station.
    public var source: MACAddress
    /// The payload's protocol (`EtherType.ipv4`, …).
    public var etherType: UInt16
    /// Everything after the 14-byte header (including any padding).
    public var payload: [UInt8]

    public init(destination: MACAddress, source: MACAddress, etherType: UInt16, payload: [UInt8]) {
        self.destination = destination
        self.source = source
        self.etherType = etherType
        self.payload = payload
    }

    /// Parses a frame; nil when shorter than the header.
    public init?(parsing bytes: [UInt8]) {
        guard bytes.count >= 14,
              let dst = MACAddress(bytes: bytes[0..<6]),
              let src = MACAddress(bytes: bytes[6..<12]) else { return nil }
        destination = dst
        source = src
        etherType = UInt16(bytes[12]) << 8 | UInt16(bytes[13])
        payload = Array(bytes[14...])
    }

    /// The frame on the wire, unpadded (the NIC pads to 60 bytes).
    public var bytes: [UInt8] {
        destination.bytes + source.bytes
            + [UInt8(etherType >> 8), UInt8(truncatingIfNeeded: etherType)] + payload
    }
}

/// EtherType values used here.
public enum EtherType {
    public static let ipv4: UInt16 = 0x0800
    public static let arp: UInt16 = 0x0806
    public static let ipv6: UInt16 = 0x86DD
}
