import VRRPCore
import VRRPWire

/// A virtual address as the kernel is asked to hold it: the VIP with the
/// `virtual_ipaddress` line's `/prefix`, `dev`, `label` and `scope`.
public struct VirtualAddressSpec: Hashable, Sendable, CustomStringConvertible {
    /// The address itself.
    public var address: IPAddress
    /// Prefix length (keepalived default: /32 for IPv4, /128 for IPv6).
    public var prefixLength: Int
    /// The interface that holds it (`dev`, default the instance's interface).
    public var interface: String
    /// `label` (IPv4 only), nil for none.
    public var label: String?
    /// `scope` name (global, host, link, site), nil for the kernel's default.
    public var scope: String?

    public init(address: IPAddress, prefixLength: Int? = nil, interface: String, label: String? = nil, scope: String? = nil) {
        self.address = address
        self.prefixLength = prefixLength ?? (address.family == .ipv4 ? 32 : 128)
        self.interface = interface
        self.label = label
        self.scope = scope
    }

    public var description: String { "\(address)/\(prefixLength) dev \(interface)" }
}

/// Sends VRRP messages. Synchronous on purpose: one `sendto` is microseconds, and
/// an engine that never suspends mid-event cannot reorder its own actions.
public protocol AdvertisementSender: Sendable {
    /// Sends `payload` (a complete VRRP message) out of `interface` with TTL/hop
    /// limit 255 from `source` to `destination` (multicast group or unicast peer).
    func send(_ payload: [UInt8], interface: String, source: IPAddress, destination: IPAddress) throws
}

/// Adds and removes virtual addresses in the kernel.
public protocol VirtualAddressManager: Sendable {
    func add(_ address: VirtualAddressSpec) throws
    func remove(_ address: VirtualAddressSpec) throws
}

/// Sends gratuitous ARPs / unsolicited neighbour advertisements. Returns at once;
/// the implementation runs the schedule's bursts in the background.
public protocol NeighborAnnouncing: Sendable {
    func announce(_ addresses: [VirtualAddressSpec], virtualRouterID: VirtualRouterID, schedule: AnnounceSchedule)
    /// Drops the bursts still pending for `virtualRouterID` (its VIPs are being
    /// removed: a later burst would pull clients to a node that no longer has them).
    func cancelAnnouncements(virtualRouterID: VirtualRouterID)
}

extension NeighborAnnouncing {
    /// Implementations without delayed bursts have nothing to cancel.
    public func cancelAnnouncements(virtualRouterID: VirtualRouterID) {}
}

/// A VRRP packet as a receive socket hands it to the engine.
public struct InboundPacket: Sendable, Hashable {
    /// The interface it arrived on.
    public var interface: String
    /// Payload and IP header fields for the receive checks.
    public var packet: ReceivedPacket

    public init(interface: String, packet: ReceivedPacket) {
        self.interface = interface
        self.packet = packet
    }
}

/// Takes state-change notifications for delivery; never blocks the caller.
/// `NotifyDispatcher` is the real one.
public protocol NotifyQueue: Sendable {
    func enqueue(_ notification: NotifyEvent, spec: NotifySpec)
}

extension NotifyDispatcher: NotifyQueue {}
