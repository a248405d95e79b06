/// A Virtual Router Identifier (VRID), RFC 5798 §5.2.3: 1…255, unique per
/// interface and address family.
public struct VirtualRouterID: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The identifier, never 0.
    public let rawValue: UInt8

    /// Returns nil for 0, which RFC 5798 reserves.
    public init?(_ rawValue: UInt8) {
        guard rawValue != 0 else { return nil }
        self.rawValue = rawValue
    }

    /// Returns nil outside 1…255.
    public init?(_ value: Int) {
        guard (1...255).contains(value) else { return nil }
        rawValue = UInt8(value)
    }

    public var description: String { String(rawValue) }
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// A VRRP priority, RFC 5798 §5.2.4: 255 is the address owner, 1…254 a backup
/// router's configurable range, 0 a master releasing responsibility.
public struct Priority: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let rawValue: UInt8

    public init(_ rawValue: UInt8) { self.rawValue = rawValue }

    /// The priority a router that owns the addresses uses (takes over at once).
    public static let owner = Priority(255)
    /// The priority of a master that stops: backups take over after skew time.
    public static let release = Priority(0)
    /// RFC 5798 default for a backup router.
    public static let `default` = Priority(100)

    public var isOwner: Bool { rawValue == 255 }
    public var isRelease: Bool { rawValue == 0 }

    public var description: String { String(rawValue) }
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// The VRRP protocol version carried in the high nibble of the first byte.
public enum VRRPVersion: UInt8, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    /// RFC 3768: IPv4 only, whole-second interval, optional simple-password auth.
    case v2 = 2
    /// RFC 5798: IPv4 and IPv6, centisecond interval, no authentication.
    case v3 = 3

    public var description: String { "VRRPv\(rawValue)" }
}
