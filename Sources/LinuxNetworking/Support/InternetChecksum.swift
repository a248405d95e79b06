import VRRPWire

/// RFC 1071 one's-complement checksum, with the RFC 5798 §5.2.8 pseudo-header for
/// VRRPv3 over IPv4 (for IPv6 the kernel computes it: IPV6_CHECKSUM offset 6).
enum InternetChecksum {
    static func sum(_ bytes: [UInt8], initial: UInt32 = 0) -> UInt32 {
        var s = initial
        var i = 0
        while i + 1 < bytes.count {
            s &+= UInt32(bytes[i]) << 8 | UInt32(bytes[i + 1])
            i += 2
        }
        if i < bytes.count { s &+= UInt32(bytes[i]) << 8 }
        return s
    }

    static func fold(_ s: UInt32) -> UInt16 {
        var s = s
        while s >> 16 != 0 { s = (s & 0xFFFF) &+ (s >> 16) }
        return ~UInt16(s)
    }

    /// Writes the VRRPv3 IPv4 checksum (pseudo-header: source, destination, zero,
    /// protocol 112, VRRP length) into bytes 6–7 of `payload`.
    static func fillVRRPv3IPv4(_ payload: inout [UInt8], source: IPv4Address, destination: IPv4Address) {
        guard payload.count >= 8 else { return }
        payload[6] = 0
        payload[7] = 0
        var pseudo = source.bytes + destination.bytes
        pseudo += [0, 112, UInt8(truncatingIfNeeded: payload.count >> 8), UInt8(truncatingIfNeeded: payload.count)]
        let c = fold(sum(payload, initial: sum(pseudo)))
        payload[6] = UInt8(c >> 8)
        payload[7] = UInt8(truncatingIfNeeded: c)
    }
}
