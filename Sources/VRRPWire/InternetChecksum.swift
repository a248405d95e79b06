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

extension InternetChecksum {
    /// A sum that starts with the pseudo-header upper-layer checksums cover — VRRPv3
    /// and ICMPv6 start with one — for a payload of `length` bytes of IP protocol
    /// `nextHeader` from `source` to `destination`. The layout follows the source's
    /// family: RFC 768 (source, destination, zero, protocol, 16-bit length) or RFC
    /// 8200 §8.1 (source, destination, 32-bit length, three zero bytes, next
    /// header). Added word by word: the receive path checks every advert's checksum,
    /// and building the pseudo-header's bytes would cost several allocations a packet.
    public init(pseudoHeaderFrom source: IPAddress, to destination: IPAddress, nextHeader: UInt8, length: Int) {
        self.init()
        addAddress(source)
        addAddress(destination)
        let len = UInt32(clamping: max(0, length))
        switch source {
        case .v4:
            sum &+= UInt64(nextHeader) + UInt64(len & 0xFFFF)
        case .v6:
            sum &+= UInt64(len >> 16) + UInt64(len & 0xFFFF) + UInt64(nextHeader)
        }
    }

    /// An address's bytes, an even number of them, as 16-bit words.
    private mutating func addAddress(_ address: IPAddress) {
        switch address {
        case .v4(let a): sum &+= UInt64(a.value >> 16) + UInt64(a.value & 0xFFFF)
        case .v6(let a): add(a.bytes)
        }
    }
}
