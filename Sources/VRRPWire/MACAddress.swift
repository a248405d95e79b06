/// An IEEE 802 MAC-48 address.
public struct MACAddress: Hashable, Sendable, CustomStringConvertible {
    /// The six octets in transmission order.
    public private(set) var bytes: [UInt8]

    /// Creates an address from exactly six bytes.
    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == 6 else { return nil }
        self.bytes = Array(bytes)
    }

    public init(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8, _ e: UInt8, _ f: UInt8) {
        bytes = [a, b, c, d, e, f]
    }

    /// Parses six hex octets separated by `:` or `-` (`00:00:5e:00:01:0a`).
    public init?(_ text: some StringProtocol) {
        let parts = text.split(whereSeparator: { $0 == ":" || $0 == "-" })
        guard parts.count == 6 else { return nil }
        var out: [UInt8] = []
        for part in parts {
            guard (1...2).contains(part.count), let b = UInt8(part, radix: 16) else { return nil }
            out.append(b)
        }
        bytes = out
    }

    /// Lower-case, colon-separated, as `ip link` prints it.
    public var description: String {
        bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined(separator: ":")
    }

    /// True when the group bit (least significant bit of the first octet) is set.
    public var isMulticast: Bool { bytes[0] & 1 == 1 }

    /// ff:ff:ff:ff:ff:ff.
    public static let broadcast = MACAddress(0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF)

    /// The VRRP virtual router MAC address: 00-00-5E-00-01-{VRID} for IPv4
    /// (RFC 5798 §7.3, RFC 3768 §7.3) and 00-00-5E-00-02-{VRID} for IPv6.
    public static func virtualRouter(_ vrid: VirtualRouterID, family: AddressFamily) -> MACAddress {
        MACAddress(0x00, 0x00, 0x5E, 0x00, family == .ipv4 ? 0x01 : 0x02, vrid.rawValue)
    }

    /// The Ethernet destination for an IP destination: the multicast mapping for
    /// multicast groups (RFC 1112 §6.4: 01:00:5e + low 23 bits; RFC 2464 §7:
    /// 33:33 + low 32 bits), otherwise nil (unicast needs neighbour resolution).
    public static func multicast(for address: IPAddress) -> MACAddress? {
        switch address {
        case .v4(let a) where a.isMulticast:
            let b = a.bytes
            return MACAddress(0x01, 0x00, 0x5E, b[1] & 0x7F, b[2], b[3])
        case .v6(let a) where a.isMulticast:
            let b = a.bytes
            return MACAddress(0x33, 0x33, b[12], b[13], b[14], b[15])
        default:
            return nil
        }
    }
}
