/// Why a received VRRP packet was discarded before it reached an instance: one case
/// per receive check of RFC 5798 §7.1 and RFC 3768 §7.1 that the packet alone decides,
/// and the VRID no instance has. Every rejection is counted (see `counterName`). The
/// checks against an instance's settings (version, authentication, interval, address
/// list) are `VirtualRouter.advertisementReceived`'s, counted in its statistics.
public enum AdvertisementRejection: Error, Hashable, Sendable, CustomStringConvertible {
    /// "MUST verify that the IPv4 TTL / IPv6 Hop Limit is 255" (§7.1): the packet
    /// may have been forwarded from another link.
    case ttlNot255(received: UInt8)
    /// Shorter than the 8-byte fixed header: not even the address count is there.
    case tooShort(length: Int, minimum: Int)
    /// "MUST verify that the received packet contains the complete VRRP packet
    /// (including fixed fields, and IPvX address(es))": the length does not match
    /// Count IPvX Addrs (plus the 8 authentication bytes in v2). Trailing bytes
    /// are rejected as keepalived does, since the checksum span would be ambiguous.
    case lengthInconsistentWithAddressCount(addressCount: UInt8, length: Int, expected: Int)
    /// The version nibble is neither 2 nor 3, or is 2 on IPv6 (RFC 3768 is IPv4 only).
    case unsupportedVersion(received: UInt8, family: AddressFamily)
    /// "MUST verify that the Type field is 1 (ADVERTISEMENT)".
    case invalidType(received: UInt8)
    /// "MUST verify the VRRP checksum" (v3: over the pseudo-header too).
    case checksumMismatch(received: UInt16, computed: UInt16)
    /// "MUST verify that the VRID is configured on the receiving interface"; VRID 0
    /// is never configured.
    case virtualRouterIDNotConfigured(received: UInt8)
    /// v2: an Auth Type other than 0 (none) and 1 (simple text password).
    case invalidAuthType(received: UInt8)
    /// v3: a Max Adver Int of 0 (the field's range is 1–4095 centiseconds). A backup
    /// adopting it would have a master-down interval of 0 and take over at once.
    case zeroAdvertisementInterval

    /// The keepalived statistics counter this rejection increments, so metrics
    /// follow keepalived's names (`keepalived --signum=STATS` file, and its SNMP
    /// error counters `vers_err`, `chk_err`, `vrid_err` for checks the stats file
    /// does not list).
    public var counterName: String {
        switch self {
        case .ttlNot255: "ip_ttl_err"
        case .tooShort, .lengthInconsistentWithAddressCount: "packet_len_err"
        case .unsupportedVersion: "vers_err"
        case .invalidType: "invalid_type_rcvd"
        case .checksumMismatch: "chk_err"
        case .virtualRouterIDNotConfigured: "vrid_err"
        case .invalidAuthType: "invalid_authtype"
        case .zeroAdvertisementInterval: "advert_interval_err"
        }
    }

    public var description: String {
        switch self {
        case .ttlNot255(let ttl): "TTL/hop limit \(ttl), expected 255"
        case .tooShort(let length, let minimum): "packet of \(length) bytes, shorter than \(minimum)"
        case .lengthInconsistentWithAddressCount(let count, let length, let expected):
            "\(count) addresses need \(expected) bytes, packet has \(length)"
        case .unsupportedVersion(let v, let family): "VRRP version \(v) is not supported over \(family)"
        case .invalidType(let t): "packet type \(t), expected 1 (advertisement)"
        case .checksumMismatch(let received, let computed):
            "checksum 0x\(String(received, radix: 16)), computed 0x\(String(computed, radix: 16))"
        case .virtualRouterIDNotConfigured(let vrid): "VRID \(vrid) is not configured here"
        case .invalidAuthType(let t): "unknown auth type \(t)"
        case .zeroAdvertisementInterval: "advertisement interval 0 (the minimum is 1 centisecond)"
        }
    }
}
