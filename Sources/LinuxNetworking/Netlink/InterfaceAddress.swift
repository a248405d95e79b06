import VRRPWire

/// An address scope as keepalived's `scope` keyword and rtnetlink name them.
public enum AddressScope: UInt8, Hashable, Sendable {
    case global = 0
    case site = 200
    case link = 253
    case host = 254
    case nowhere = 255
}

/// A virtual IP address to configure: `virtual_ipaddress { <address>/<prefix> dev
/// <interface> scope <scope> label <label> }`.
public struct VirtualAddress: Hashable, Sendable, CustomStringConvertible {
    /// The VIP itself.
    public var address: IPAddress
    /// Prefix length; keepalived's default is /32 or /128 (host route only).
    public var prefixLength: UInt8
    /// The interface name the VIP goes on.
    public var interface: String
    /// IPv4 label (`eth0:vip`), shown by `ip addr`; ignored for IPv6 by the kernel.
    public var label: String?
    /// Address scope.
    public var scope: AddressScope
    /// IFA_F_NODAD: usable at once, no duplicate address detection (IPv6 only).
    public var skipDuplicateAddressDetection: Bool

    public init(_ address: IPAddress, prefixLength: UInt8? = nil, interface: String, label: String? = nil,
                scope: AddressScope = .global, skipDuplicateAddressDetection: Bool = true) {
        self.address = address
        self.prefixLength = prefixLength ?? (address.family == .ipv4 ? 32 : 128)
        self.interface = interface
        self.label = label
        self.scope = scope
        self.skipDuplicateAddressDetection = skipDuplicateAddressDetection
    }

    public var description: String { "\(address)/\(prefixLength) dev \(interface)" }
}

/// An address the kernel reports on an interface (RTM_NEWADDR).
public struct InterfaceAddress: Hashable, Sendable, CustomStringConvertible {
    /// IFA_LOCAL (IPv4) or IFA_ADDRESS (IPv6).
    public var address: IPAddress
    /// ifa_prefixlen.
    public var prefixLength: UInt8
    /// The interface's kernel index.
    public var interfaceIndex: Int32
    /// IFA_LABEL (IPv4 only).
    public var label: String?
    /// ifa_scope (0 global, 253 link, 254 host); raw, since the kernel may report others.
    public var scope: UInt8
    /// IFA_FLAGS (IFA_F_*): e.g. 0x02 NODAD, 0x40 TENTATIVE, 0x80 PERMANENT.
    public var flags: UInt32
    /// IFA_PROTO: who added the address; nil when the kernel reports none.
    public var protocolTag: UInt8?

    public var description: String { "\(address)/\(prefixLength) if#\(interfaceIndex)" }
}
