// VRRP advertisement on the wire.
//
// VRRPv3, RFC 5798 §5.1            VRRPv2, RFC 3768 §5.1
//  0       4       8      16      24      32
// +-------+-------+-------+-------+-------+
// |Ver|Typ| VRID  | Prio  | Count |           (both)
// +-------+-------+-------+-------+
// |rsv| Max Adver Int | Checksum  |  v3: 4 reserved bits + 12-bit centiseconds
// | AuthT | AdvInt| Checksum      |  v2: auth type, whole seconds
// +-------+-------+---------------+
// | IPvX address 1 … Count          |  4 or 16 bytes each
// +-------------------------------+
// | Authentication data (8 bytes)   |  v2 only; always present, zero for type 0
// +-------------------------------+

extension Advertisement {
    /// The IP protocol number VRRP runs over (RFC 5798 §5.1.1.3).
    public static let ipProtocolNumber: UInt8 = 112
    /// The only VRRP packet type, ADVERTISEMENT (RFC 5798 §5.2.2).
    public static let advertisementType: UInt8 = 1
    /// The TTL / hop limit every VRRP packet is sent with and must arrive with
    /// (RFC 5798 §5.1.1.3, §7.1).
    public static let requiredTTL: UInt8 = 255
    /// Length of the fixed header before the address list.
    public static let fixedHeaderLength = 8
    /// Length of the VRRPv2 authentication data field (RFC 3768 §5.3.10).
    public static let authenticationDataLength = 8
    /// The largest v3 Max Adver Int: 12 bits of centiseconds (40.95 s).
    public static let maximumCentiseconds = 4095

    /// The advertisement as a VRRP message (no IP header) with its checksum filled.
    ///
    /// v3 checksums cover the IPv4 or IPv6 pseudo-header built from `source` and
    /// `destination` (RFC 5798 §5.2.8), so they must be the addresses the packet
    /// is sent with; v2 checksums cover the message alone (RFC 3768 §5.3.8) and
    /// ignore them.
    ///
    /// Values the wire cannot carry are clamped rather than trapping: the interval
    /// is rounded to whole seconds (v2, 0…255) or centiseconds (v3, 0…4095), only
    /// the first 255 addresses are sent, and a password is cut or zero-padded to
    /// 8 bytes. Addresses are written with their own length, so an address list
    /// must be of the packet's family to decode again.
    public func encode(source: IPAddress, destination: IPAddress) -> [UInt8] {
        let sent = addresses.prefix(255)
        var message: [UInt8] = [
            version.rawValue << 4 | Self.advertisementType,
            virtualRouterID.rawValue,
            priority.rawValue,
            UInt8(sent.count),
        ]
        switch version {
        case .v2:
            message += [authentication.typeCode, UInt8(Self.wireSeconds(advertisementInterval)), 0, 0]
        case .v3:
            let cs = UInt16(Self.wireCentiseconds(advertisementInterval))
            message += [UInt8(cs >> 8), UInt8(truncatingIfNeeded: cs), 0, 0]
        }
        for address in sent { message += address.bytes }
        let checksum: UInt16
        switch version {
        case .v2:
            message += authentication.wireData
            checksum = InternetChecksum.compute(message)
        case .v3:
            var sum = InternetChecksum(pseudoHeaderFrom: source, to: destination,
                                       nextHeader: Self.ipProtocolNumber, length: message.count)
            sum.add(message)
            checksum = sum.value
        }
        message[6] = UInt8(checksum >> 8)
        message[7] = UInt8(truncatingIfNeeded: checksum)
        return message
    }

    /// Decodes a VRRP message (the IP payload) that arrived from `source` to
    /// `destination`; the addresses' family decides the address length and, for
    /// v3, the pseudo-header of the checksum. Checks everything that needs no
    /// instance settings, in RFC 5798 §7.1 order: version, length, type, length
    /// against the address count, checksum, VRID ≠ 0, and (v2) a known auth type.
    /// Never traps.
    public static func decode(
        message: [UInt8], source: IPAddress, destination: IPAddress
    ) throws(AdvertisementRejection) -> Advertisement {
        guard message.count >= fixedHeaderLength else {
            throw .tooShort(length: message.count, minimum: fixedHeaderLength)
        }
        let versionNibble = message[0] >> 4
        // RFC 3768 defines VRRPv2 for IPv4 only.
        guard let version = VRRPVersion(rawValue: versionNibble),
              version == .v3 || source.family == .ipv4 else {
            throw .unsupportedVersion(received: versionNibble, family: source.family)
        }
        let type = message[0] & 0x0F
        guard type == advertisementType else { throw .invalidType(received: type) }

        let count = Int(message[3])
        let addressLength = source.family == .ipv4 ? 4 : 16
        let trailer = version == .v2 ? authenticationDataLength : 0
        let expected = fixedHeaderLength + count * addressLength + trailer
        guard message.count == expected else {
            throw .lengthInconsistentWithAddressCount(
                addressCount: message[3], length: message.count, expected: expected)
        }

        let start = version == .v3
            ? InternetChecksum(pseudoHeaderFrom: source, to: destination, nextHeader: ipProtocolNumber, length: message.count)
            : InternetChecksum()
        var sum = start
        sum.add(message)
        // Summing with the received checksum in place gives zero for an intact
        // message (RFC 1071), whichever of the two one's-complement zeros was sent.
        if sum.value != 0 {
            var zeroed = message
            zeroed[6] = 0
            zeroed[7] = 0
            var computed = start
            computed.add(zeroed)
            throw .checksumMismatch(received: UInt16(message[6]) << 8 | UInt16(message[7]), computed: computed.value)
        }

        guard let vrid = VirtualRouterID(message[1]) else {
            throw .virtualRouterIDNotConfigured(received: message[1])
        }

        var addresses: [IPAddress] = []
        addresses.reserveCapacity(count)
        for i in 0..<count {
            let start = fixedHeaderLength + i * addressLength
            let slice = message[start..<(start + addressLength)]
            if addressLength == 4, let a = IPv4Address(bytes: slice) {
                addresses.append(.v4(a))
            } else if let a = IPv6Address(bytes: slice) {
                addresses.append(.v6(a))
            }
        }

        let interval: Duration
        var authentication = Authentication.none
        switch version {
        case .v2:
            switch message[4] {
            case 0: authentication = .none
            case 1: authentication = .simplePassword(Array(message[(expected - authenticationDataLength)...]))
            default: throw .invalidAuthType(received: message[4])
            }
            interval = .seconds(Int(message[5]))
        case .v3:
            // The four reserved bits are ignored on receipt (RFC 5798 §5.2.7).
            let cs = Int(message[4] & 0x0F) << 8 | Int(message[5])
            guard cs > 0 else { throw .zeroAdvertisementInterval }
            interval = .milliseconds(cs * 10)
        }

        return Advertisement(
            version: version, virtualRouterID: vrid, priority: Priority(message[2]),
            advertisementInterval: interval, addresses: addresses, authentication: authentication)
    }

    /// A `Duration` as v2's whole seconds, rounded to nearest and clamped to 0…255.
    static func wireSeconds(_ interval: Duration) -> Int {
        let (seconds, attoseconds) = interval.components
        if seconds < 0 { return 0 }
        if seconds >= 255 { return 255 }
        let rounded = Int(seconds) + (attoseconds >= 500_000_000_000_000_000 ? 1 : 0)
        return min(max(0, rounded), 255)
    }

    /// A `Duration` as v3's centiseconds, rounded to nearest and clamped to 0…4095.
    static func wireCentiseconds(_ interval: Duration) -> Int {
        let (seconds, attoseconds) = interval.components
        if seconds < 0 { return 0 }
        if seconds >= 41 { return maximumCentiseconds }
        let centiFromAtto = (attoseconds + 5_000_000_000_000_000) / 10_000_000_000_000_000
        // A negative sub-second duration has seconds 0 and negative attoseconds.
        return min(max(0, Int(seconds) * 100 + Int(centiFromAtto)), maximumCentiseconds)
    }
}

extension Authentication {
    /// The 8-byte authentication data field as sent: zeros for type 0, the
    /// password cut or zero-padded to 8 bytes for type 1.
    var wireData: [UInt8] {
        switch self {
        case .none:
            return Array(repeating: 0, count: Advertisement.authenticationDataLength)
        case .simplePassword(let bytes):
            let cut = Array(bytes.prefix(Advertisement.authenticationDataLength))
            return cut + Array(repeating: 0, count: Advertisement.authenticationDataLength - cut.count)
        }
    }
}
