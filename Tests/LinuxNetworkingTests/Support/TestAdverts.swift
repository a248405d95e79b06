import VRRPWire

/// Byte-level VRRP adverts for the kernel tests, deliberately independent of the
/// VRRPWire codec so these tests check the sockets, not the codec.
enum TestAdverts {
    /// RFC 1071 sum folded and complemented.
    static func checksum(_ bytes: [UInt8]) -> UInt16 {
        var s: UInt32 = 0
        var i = 0
        while i + 1 < bytes.count { s += UInt32(bytes[i]) << 8 | UInt32(bytes[i + 1]); i += 2 }
        if i < bytes.count { s += UInt32(bytes[i]) << 8 }
        while s >> 16 != 0 { s = (s & 0xFFFF) + (s >> 16) }
        return ~UInt16(s)
    }

    /// A VRRPv2 advertisement (RFC 3768 §5.3) with its checksum filled in.
    static func v2(vrid: UInt8, priority: UInt8, intervalSeconds: UInt8 = 1, addresses: [IPv4Address],
                   password: String? = nil) -> [UInt8] {
        var b: [UInt8] = [0x21, vrid, priority, UInt8(addresses.count), password == nil ? 0 : 1, intervalSeconds, 0, 0]
        for a in addresses { b += a.bytes }
        var auth = Array((password ?? "").utf8.prefix(8))
        auth += [UInt8](repeating: 0, count: 8 - auth.count)
        b += auth
        let c = checksum(b)
        b[6] = UInt8(c >> 8); b[7] = UInt8(c & 0xFF)
        return b
    }

    /// A VRRPv3 advertisement (RFC 5798 §5.1) with a zero checksum (the socket or kernel fills it).
    static func v3(vrid: UInt8, priority: UInt8, intervalCentiseconds: UInt16 = 100, addresses: [IPAddress]) -> [UInt8] {
        var b: [UInt8] = [0x31, vrid, priority, UInt8(addresses.count),
                          UInt8(intervalCentiseconds >> 8) & 0x0F, UInt8(intervalCentiseconds & 0xFF), 0, 0]
        for a in addresses { b += a.bytes }
        return b
    }

    /// True when the packet's checksum verifies: v2 over the message, v3 with the
    /// IPv4 or IPv6 pseudo-header (RFC 5798 §5.2.8).
    static func checksumIsValid(_ payload: [UInt8], source: IPAddress, destination: IPAddress) -> Bool {
        guard payload.count >= 8 else { return false }
        if payload[0] >> 4 == 2 { return checksum(payload) == 0 }
        let length = payload.count
        let pseudo: [UInt8]
        switch source {
        case .v4:
            pseudo = source.bytes + destination.bytes + [0, 112, UInt8(length >> 8), UInt8(length & 0xFF)]
        case .v6:
            pseudo = source.bytes + destination.bytes + [0, 0, UInt8(length >> 8), UInt8(length & 0xFF), 0, 0, 0, 112]
        }
        return checksum(pseudo + payload) == 0
    }

    /// The payload with the checksum field zeroed, for comparing what was sent with what arrived.
    static func withoutChecksum(_ payload: [UInt8]) -> [UInt8] {
        var p = payload
        if p.count >= 8 { p[6] = 0; p[7] = 0 }
        return p
    }
}
