/// RFC 3768 §5.3.6 authentication of a VRRPv2 advertisement. keepalived
/// implements type 0 (none) and type 1 (simple text password, 8 bytes on the wire,
/// zero-padded; longer passwords are cut to 8 bytes).
public enum Authentication: Hashable, Sendable {
    /// Auth type 0.
    case none
    /// Auth type 1: exactly the 8 bytes carried in the authentication data field.
    case simplePassword([UInt8])

    /// Builds type-1 authentication from a configured password the way keepalived
    /// does: UTF-8 bytes, cut to 8, padded with zero bytes.
    public static func password(_ text: String) -> Authentication {
        var bytes = Array(text.utf8.prefix(8))
        bytes += Array(repeating: 0, count: 8 - bytes.count)
        return .simplePassword(bytes)
    }

    /// The auth type number on the wire.
    public var typeCode: UInt8 {
        switch self { case .none: 0; case .simplePassword: 1 }
    }
}

/// A VRRP advertisement as a value: what a master sends every advertisement
/// interval (RFC 5798 §5.1, RFC 3768 §5.1). Intervals are a `Duration`;
/// centiseconds and seconds exist only in the codec.
public struct Advertisement: Hashable, Sendable {
    /// Protocol version (v2: RFC 3768, v3: RFC 5798).
    public var version: VRRPVersion
    /// The virtual router this advert speaks for.
    public var virtualRouterID: VirtualRouterID
    /// The sender's priority for this virtual router; 0 = releasing.
    public var priority: Priority
    /// Advertisement interval: v2 carries whole seconds (1…255), v3 centiseconds
    /// (1…4095) as Max Adver Int.
    public var advertisementInterval: Duration
    /// The virtual addresses the sender backs up; all of one family.
    public var addresses: [IPAddress]
    /// v2 only; `.none` for v3.
    public var authentication: Authentication

    public init(
        version: VRRPVersion,
        virtualRouterID: VirtualRouterID,
        priority: Priority,
        advertisementInterval: Duration,
        addresses: [IPAddress],
        authentication: Authentication = .none
    ) {
        self.version = version
        self.virtualRouterID = virtualRouterID
        self.priority = priority
        self.advertisementInterval = advertisementInterval
        self.addresses = addresses
        self.authentication = authentication
    }
}
