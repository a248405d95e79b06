/// The RFC 1071 Internet checksum: the one's complement of the one's complement
/// sum of 16-bit big-endian words. VRRP (RFC 5798 §5.2.8, RFC 3768 §5.3.8), IPv4
/// headers and ICMPv6 all use it.
///
/// Bytes may be added in several chunks (pseudo-header, then message); an odd
/// chunk length carries its last byte over into the next chunk, so the result
/// is the checksum of the concatenation.
public struct InternetChecksum: Sendable {
    /// Running sum of 16-bit words, folded only when read.
    private var sum: UInt64 = 0
    /// The high byte of a word whose low byte has not arrived yet.
    private var pendingHighByte: UInt8?

    public init() {}

    /// Adds bytes to the sum, continuing any odd byte left by the previous chunk.
    public mutating func add(_ bytes: some Sequence<UInt8>) {
        for byte in bytes {
            if let high = pendingHighByte {
                sum &+= UInt64(high) << 8 | UInt64(byte)
                pendingHighByte = nil
            } else {
                pendingHighByte = byte
            }
        }
    }

    /// The checksum of everything added: an odd trailing byte is padded with zero.
    public var value: UInt16 {
        var s = sum
        if let high = pendingHighByte { s &+= UInt64(high) << 8 }
        while s >> 16 != 0 { s = (s & 0xFFFF) + (s >> 16) }
        return ~UInt16(truncatingIfNeeded: s)
    }

    /// The checksum of the concatenation of `chunks`.
    public static func compute(_ chunks: [UInt8]...) -> UInt16 {
        var c = InternetChecksum()
        for chunk in chunks { c.add(chunk) }
        return c.value
    }
}

/// The pseudo-headers upper-layer checksums cover (RFC 768 for IPv4, RFC 8200 §8.1
/// for IPv6). VRRPv3 and ICMPv6 checksums start with one.
public enum PseudoHeader {
    /// The pseudo-header for a payload of `length` bytes of IP protocol
    /// `nextHeader` from `source` to `destination`. The layout follows the
    /// source's family; `destination` is expected to be of the same family.
    public static func bytes(
        source: IPAddress, destination: IPAddress, nextHeader: UInt8, length: Int
    ) -> [UInt8] {
        let len = UInt32(clamping: max(0, length))
        switch source {
        case .v4:
            // RFC 768: src, dst, zero, protocol, 16-bit length.
            return source.bytes + destination.bytes
                + [0, nextHeader, UInt8(truncatingIfNeeded: len >> 8), UInt8(truncatingIfNeeded: len)]
        case .v6:
            // RFC 8200 §8.1: src, dst, 32-bit length, three zero bytes, next header.
            return source.bytes + destination.bytes
                + [UInt8(truncatingIfNeeded: len >> 24), UInt8(truncatingIfNeeded: len >> 16),
                   UInt8(truncatingIfNeeded: len >> 8), UInt8(truncatingIfNeeded: len),
                   0, 0, 0, nextHeader]
        }
    }
}
