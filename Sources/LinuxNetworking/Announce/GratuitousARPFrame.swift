import VRRPWire

/// A gratuitous ARP as a complete Ethernet frame (RFC 5227 §3 "ARP Announcement":
/// an ARP request whose sender and target protocol addresses are both the VIP).
/// Kept self-contained so the integrator can swap in VRRPWire's frame builder.
enum GratuitousARPFrame {
    static let broadcast: [UInt8] = [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]

    static func build(address: IPv4Address, hardwareAddress mac: [UInt8]) -> [UInt8] {
        var f: [UInt8] = broadcast + mac + [0x08, 0x06]          // Ethernet: dst, src, EtherType ARP
        f += [0x00, 0x01, 0x08, 0x00, 6, 4, 0x00, 0x01]           // Ethernet/IPv4, hlen 6, plen 4, request
        f += mac + address.bytes                                  // sender: our MAC, the VIP
        f += [0, 0, 0, 0, 0, 0] + address.bytes                   // target: ignored MAC, the VIP again
        return f + [UInt8](repeating: 0, count: 60 - f.count)     // pad to the Ethernet minimum
    }
}

/// An unsolicited neighbor advertisement (RFC 4861 §4.4, §7.2.6): Override set,
/// Solicited clear, with a target link-layer address option. The checksum stays
/// zero: the kernel computes it for raw ICMPv6 sockets.
enum UnsolicitedNeighborAdvertisement {
    static func build(target: IPv6Address, hardwareAddress mac: [UInt8], router: Bool) -> [UInt8] {
        let flags: UInt8 = (router ? 0x80 : 0) | 0x20            // R, S = 0, O = 1
        return [136, 0, 0, 0, flags, 0, 0, 0] + target.bytes + [2, 1] + mac
    }
}
