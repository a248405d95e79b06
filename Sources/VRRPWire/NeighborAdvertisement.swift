/// An unsolicited IPv6 Neighbor Advertisement (RFC 4861 §4.4, §7.2.6) announcing
/// that `target` is now at `targetMAC`: what a new VRRP master sends for each IPv6
/// virtual address (RFC 5798 §6.4.2). Override flag set, Solicited clear, sent to
/// all-nodes (ff02::1) with hop limit 255 and a target link-layer address option.
public struct NeighborAdvertisement: Hashable, Sendable {
    /// The link-layer address the target is to be reached at.
    public var targetMAC: MACAddress
    /// The virtual IPv6 address being announced.
    public var target: IPv6Address
    /// The IPv6 source address. keepalived 2.2.7 sends from the target (virtual)
    /// address itself, which is the default here.
    public var source: IPv6Address
    /// The Ethernet source of the full frame (normally the same as `targetMAC`).
    public var sourceMAC: MACAddress
    /// Router flag: set when the sender forwards IPv6 (keepalived reads the
    /// interface's `forwarding` sysctl).
    public var isRouter: Bool

    public init(
        targetMAC: MACAddress, target: IPv6Address, source: IPv6Address? = nil,
        sourceMAC: MACAddress? = nil, isRouter: Bool = false
    ) {
        self.targetMAC = targetMAC
        self.target = target
        self.source = source ?? target
        self.sourceMAC = sourceMAC ?? targetMAC
        self.isRouter = isRouter
    }

    /// ICMPv6 type 136.
    public static let icmpv6Type: UInt8 = 136
    /// IP protocol number of ICMPv6.
    public static let icmpv6NextHeader: UInt8 = 58
    /// Flag bits in the first byte after the checksum (RFC 4861 §4.4).
    public static let routerFlag: UInt8 = 0x80, solicitedFlag: UInt8 = 0x40, overrideFlag: UInt8 = 0x20
    /// The destination of unsolicited advertisements.
    public static let destination = IPv6Address.allNodes

    /// The 32-byte ICMPv6 message with its checksum filled (over the pseudo-header
    /// from `source` to ff02::1). A raw ICMPv6 socket recomputes the checksum, so
    /// this is also what to hand to one.
    public var icmpv6Message: [UInt8] {
        var message: [UInt8] = [
            Self.icmpv6Type, 0, 0, 0,
            (isRouter ? Self.routerFlag : 0) | Self.overrideFlag, 0, 0, 0,
        ] + target.bytes
            + [2, 1] + targetMAC.bytes   // option 2, target link-layer address, 1 × 8 bytes
        var sum = InternetChecksum(pseudoHeaderFrom: .v6(source), to: .v6(Self.destination),
                                   nextHeader: Self.icmpv6NextHeader, length: message.count)
        sum.add(message)
        let checksum = sum.value
        message[2] = UInt8(checksum >> 8)
        message[3] = UInt8(truncatingIfNeeded: checksum)
        return message
    }

    /// The IPv6 packet carrying the message, hop limit 255.
    public var ipv6Packet: IPv6Packet {
        IPv6Packet(source: source, destination: Self.destination, hopLimit: 255,
                   nextHeader: Self.icmpv6NextHeader, payload: icmpv6Message)
    }

    /// The whole Ethernet frame (to 33:33:00:00:00:01), for tests and pcap files.
    public var frame: EthernetFrame {
        EthernetFrame(destination: MACAddress.multicast(for: .v6(Self.destination))!,
                      source: sourceMAC, etherType: EtherType.ipv6, payload: ipv6Packet.bytes)
    }
}
