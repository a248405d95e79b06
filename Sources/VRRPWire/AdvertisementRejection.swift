/// Why a received VRRP packet was discarded: one case per receive check of
/// RFC 5798 §7.1 and RFC 3768 §7.1 that can be decided from the packet and the
/// receiving instance's settings. Every rejection is counted (see `counterName`).
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
    /// "MUST verify the VRRP version": a valid version, but not the receiving
    /// instance's (a v3 instance never processes v2 adverts and vice versa).
    case versionMismatch(received: VRRPVersion, expected: VRRPVersion)
    /// "MUST verify that the Type field is 1 (ADVERTISEMENT)".
    case invalidType(received: UInt8)
    /// "MUST verify the VRRP checksum" (v3: over the pseudo-header too).
    case checksumMismatch(received: UInt16, computed: UInt16)
    /// "MUST verify that the VRID is configured on the receiving interface"; VRID 0
    /// is never configured.
    case virtualRouterIDNotConfigured(received: UInt8)
    /// v2: an Auth Type other than 0 (none) and 1 (simple text password).
    case invalidAuthType(received: UInt8)
    /// v2: "MUST verify that the Auth Type matches the locally configured
    /// authentication method for the virtual router".
    case authTypeMismatch(received: UInt8, expected: UInt8)
    /// v2: type 1 with a password other than ours.
    case authenticationFailure
    /// v2: "MUST verify that the Adver Interval in the packet is the same as the
    /// locally configured for this virtual router". (v3 only reports it: see
    /// `AdvertisementFinding.advertisementIntervalDiffers`.)
    case advertisementIntervalMismatch(received: Duration, configured: Duration)
    /// v3: a Max Adver Int of 0 (the field's range is 1–4095 centiseconds). A backup
    /// adopting it would have a master-down interval of 0 and take over at once.
    case zeroAdvertisementInterval
    /// The advert's address list differs from ours and the instance discards such
    /// adverts (`ReceiveExpectations.AddressListPolicy.discardUnlessOwner`): RFC
    /// 5798 §7.1 / RFC 3768 §7.1 drop them unless the sender is the owner (255).
    case addressListMismatch(missing: [IPAddress], unexpected: [IPAddress])

    /// The keepalived statistics counter this rejection increments, so metrics
    /// follow keepalived's names (`keepalived --signum=STATS` file, and its SNMP
    /// error counters `vers_err`, `chk_err`, `vrid_err` for checks the stats file
    /// does not list).
    public var counterName: String {
        switch self {
        case .ttlNot255: "ip_ttl_err"
        case .tooShort, .lengthInconsistentWithAddressCount: "packet_len_err"
        case .unsupportedVersion, .versionMismatch: "vers_err"
        case .invalidType: "invalid_type_rcvd"
        case .checksumMismatch: "chk_err"
        case .virtualRouterIDNotConfigured: "vrid_err"
        case .invalidAuthType: "invalid_authtype"
        case .authTypeMismatch: "authtype_mismatch"
        case .authenticationFailure: "auth_failure"
        case .advertisementIntervalMismatch, .zeroAdvertisementInterval: "advert_interval_err"
        case .addressListMismatch: "addr_list_err"
        }
    }

    public var description: String {
        switch self {
        case .ttlNot255(let ttl): "TTL/hop limit \(ttl), expected 255"
        case .tooShort(let length, let minimum): "packet of \(length) bytes, shorter than \(minimum)"
        case .lengthInconsistentWithAddressCount(let count, let length, let expected):
            "\(count) addresses need \(expected) bytes, packet has \(length)"
        case .unsupportedVersion(let v, let family): "VRRP version \(v) is not supported over \(family)"
        case .versionMismatch(let received, let expected): "received \(received), instance runs \(expected)"
        case .invalidType(let t): "packet type \(t), expected 1 (advertisement)"
        case .checksumMismatch(let received, let computed):
            "checksum 0x\(String(received, radix: 16)), computed 0x\(String(computed, radix: 16))"
        case .virtualRouterIDNotConfigured(let vrid): "VRID \(vrid) is not configured here"
        case .invalidAuthType(let t): "unknown auth type \(t)"
        case .authTypeMismatch(let received, let expected): "auth type \(received), configured \(expected)"
        case .authenticationFailure: "authentication password mismatch"
        case .advertisementIntervalMismatch(let received, let configured):
            "advertisement interval \(received), configured \(configured)"
        case .addressListMismatch(let missing, let unexpected):
            "address list differs: missing \(missing), unexpected \(unexpected)"
        case .zeroAdvertisementInterval: "advertisement interval 0 (the minimum is 1 centisecond)"
        }
    }
}

/// Something a received advertisement disagrees with that is reported and
/// counted but does not stop it being processed.
public enum AdvertisementFinding: Hashable, Sendable, CustomStringConvertible {
    /// v3: the master's Max Adver Int differs from ours. RFC 5798 §6.4.2 has a
    /// backup adopt it (Master_Adver_Interval); keepalived logs it and counts nothing.
    case advertisementIntervalDiffers(received: Duration, configured: Duration)
    /// The advert's address list differs from ours (RFC 5798 §7.1 "MAY verify"),
    /// and the instance's policy is `.report`: counted as `addr_list_err`, logged,
    /// and the advert is still processed.
    case addressListMismatch(missing: [IPAddress], unexpected: [IPAddress])

    /// The keepalived counter this finding increments, if keepalived counts it.
    public var counterName: String? {
        switch self {
        case .advertisementIntervalDiffers: nil
        case .addressListMismatch: "addr_list_err"
        }
    }

    public var description: String {
        switch self {
        case .advertisementIntervalDiffers(let received, let configured):
            "master advertises every \(received), configured \(configured)"
        case .addressListMismatch(let missing, let unexpected):
            "address list differs: missing \(missing), unexpected \(unexpected)"
        }
    }
}
