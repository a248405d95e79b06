/// An IPv4 datagram (RFC 791) with the header fields VRRP cares about. Raw IPv4
/// sockets deliver the header, so the receive path parses it for the TTL check;
/// tests build one to put VRRP into a pcap.
public struct IPv4Datagram: Hashable, Sendable {
    /// Source address.
    public var source: IPv4Address
    /// Destination address.
    public var destination: IPv4Address
    /// Time to live; VRRP sends and requires 255.
    public var ttl: UInt8
    /// IP protocol number (112 for VRRP).
    public var protocolNumber: UInt8
    /// DSCP/ECN byte; keepalived sends 0xC0 (network control).
    public var typeOfService: UInt8
    /// Identification field.
    public var identification: UInt16
    /// Flags and fragment offset (0x4000 = don't fragment).
    public var flagsAndFragmentOffset: UInt16
    /// The bytes after the header, cut to the header's total length.
    public var payload: [UInt8]

    public init(
        source: IPv4Address, destination: IPv4Address, ttl: UInt8 = 255,
        protocolNumber: UInt8, typeOfService: UInt8 = 0xC0, identification: UInt16 = 0,
        flagsAndFragmentOffset: UInt16 = 0, payload: [UInt8]
    ) {
        self.source = source
        self.destination = destination
        self.ttl = ttl
        self.protocolNumber = protocolNumber
        self.typeOfService = typeOfService
        self.identification = identification
        self.flagsAndFragmentOffset = flagsAndFragmentOffset
        self.payload = payload
    }

    /// Parses a datagram; nil when it is not IPv4, the header is cut off, or the
    /// total length is shorter than the header or longer than the bytes. Options
    /// are skipped; the header checksum is not verified (the kernel did that).
    /// `truncated`: the bytes are the first part of a longer datagram (a receive
    /// buffer's worth, `MSG_TRUNC`): the payload is what arrived of it.
    public init?(parsing bytes: [UInt8], truncated: Bool = false) {
        guard let parsed = bytes.withUnsafeBytes({ Self(parsing: $0, truncated: truncated) }) else { return nil }
        self = parsed
    }

    /// `init(parsing:truncated:)` straight from a receive buffer: only the payload is
    /// copied out, by `makePayload` (a receive path may hand back an equal array it
    /// already holds).
    public init?(parsing bytes: UnsafeRawBufferPointer, truncated: Bool = false,
                 payload makePayload: (UnsafeRawBufferPointer) -> [UInt8] = { Array($0) }) {
        guard bytes.count >= 20, bytes[0] >> 4 == 4 else { return nil }
        let headerLength = Int(bytes[0] & 0x0F) * 4
        let stated = Int(bytes[2]) << 8 | Int(bytes[3])
        let totalLength = truncated ? min(stated, bytes.count) : stated
        guard headerLength >= 20, totalLength >= headerLength, totalLength <= bytes.count else { return nil }
        func word(_ i: Int) -> UInt32 {
            UInt32(bytes[i]) << 24 | UInt32(bytes[i + 1]) << 16 | UInt32(bytes[i + 2]) << 8 | UInt32(bytes[i + 3])
        }
        source = IPv4Address(word(12))
        destination = IPv4Address(word(16))
        typeOfService = bytes[1]
        identification = UInt16(bytes[4]) << 8 | UInt16(bytes[5])
        flagsAndFragmentOffset = UInt16(bytes[6]) << 8 | UInt16(bytes[7])
        ttl = bytes[8]
        protocolNumber = bytes[9]
        payload = makePayload(UnsafeRawBufferPointer(rebasing: bytes[headerLength..<totalLength]))
    }

    /// The datagram with a 20-byte header and its checksum filled.
    public var bytes: [UInt8] {
        let total = 20 + payload.count
        var header: [UInt8] = [
            0x45, typeOfService, UInt8(truncatingIfNeeded: total >> 8), UInt8(truncatingIfNeeded: total),
            UInt8(identification >> 8), UInt8(truncatingIfNeeded: identification),
            UInt8(flagsAndFragmentOffset >> 8), UInt8(truncatingIfNeeded: flagsAndFragmentOffset),
            ttl, protocolNumber, 0, 0,
        ] + source.bytes + destination.bytes
        let checksum = InternetChecksum.compute(header)
        header[10] = UInt8(checksum >> 8)
        header[11] = UInt8(truncatingIfNeeded: checksum)
        return header + payload
    }
}
