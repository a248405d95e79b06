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
    /// Sends every advert of `batch` in order, as `send` would one by one; an
    /// implementation that can hand several to the kernel at once (`sendmmsg`)
    /// overrides this. Returns the adverts that failed, by index into `batch`.
    func send(batch: [OutgoingAdvertisement]) -> [(index: Int, error: any Error)]
    /// Goes through everything `send` does except putting the packet on the wire.
    /// See `TakeoverRehearsal`.
    func rehearseSend(_ payload: [UInt8], interface: String, source: IPAddress, destination: IPAddress)
}

/// One advert of `AdvertisementSender.send(batch:)`.
public struct OutgoingAdvertisement: Sendable {
    public var payload: [UInt8]
    public var interface: String
    public var source: IPAddress
    public var destination: IPAddress

    public init(payload: [UInt8], interface: String, source: IPAddress, destination: IPAddress) {
        self.payload = payload
        self.interface = interface
        self.source = source
        self.destination = destination
    }
}

extension AdvertisementSender {
    public func send(batch: [OutgoingAdvertisement]) -> [(index: Int, error: any Error)] { sendEach(batch) }

    /// `send(batch:)` as one `send` per advert.
    public func sendEach(_ batch: [OutgoingAdvertisement]) -> [(index: Int, error: any Error)] {
        var failures: [(index: Int, error: any Error)] = []
        for (index, advert) in batch.enumerated() {
            do {
                try send(advert.payload, interface: advert.interface, source: advert.source, destination: advert.destination)
            } catch {
                failures.append((index, error))
            }
        }
        return failures
    }

    public func rehearseSend(_ payload: [UInt8], interface: String, source: IPAddress, destination: IPAddress) {}
}

/// Adds and removes virtual addresses in the kernel.
public protocol VirtualAddressManager: Sendable {
    func add(_ address: VirtualAddressSpec) throws
    func remove(_ address: VirtualAddressSpec) throws
    /// Adds every address of one transition (a group's VIPs and excluded addresses),
    /// in order. An address that fails does not stop the others; the failures are
    /// returned, the rest are in place. An implementation that can batch (one
    /// netlink exchange, one state-file write) overrides this.
    func add(contentsOf addresses: [VirtualAddressSpec]) -> [VirtualAddressFailure]
    /// `add(contentsOf:)`, calling `applied` with the addresses now in place — part by
    /// part as the kernel confirms them when the implementation can (so a group of
    /// 1,000 VIPs is announced while the rest is still being added), else once at the
    /// end. Every address in place is reported exactly once, before this returns.
    func add(contentsOf addresses: [VirtualAddressSpec],
             applied: ([VirtualAddressSpec]) -> Void) -> [VirtualAddressFailure]
    /// Removes every address of one transition, in order; like `add(contentsOf:)`.
    func remove(contentsOf addresses: [VirtualAddressSpec]) -> [VirtualAddressFailure]
    /// Goes through `add(contentsOf:applied:)`'s path, reporting each part to
    /// `applied`, with no address added or changed. See `TakeoverRehearsal`.
    func rehearseAdd(contentsOf addresses: [VirtualAddressSpec], applied: ([VirtualAddressSpec]) -> Void)
}

/// One address of a batch that could not be added or removed.
public struct VirtualAddressFailure: Error, Sendable, CustomStringConvertible {
    /// The address.
    public var address: VirtualAddressSpec
    /// Why (the kernel's or the state file's error).
    public var error: any Error

    public init(address: VirtualAddressSpec, error: any Error) {
        self.address = address
        self.error = error
    }

    public var description: String { "\(address): \(error)" }
}

extension VirtualAddressManager {
    /// One `add` per address.
    public func add(contentsOf addresses: [VirtualAddressSpec]) -> [VirtualAddressFailure] {
        addresses.compactMap { spec in
            do { try add(spec); return nil } catch { return VirtualAddressFailure(address: spec, error: error) }
        }
    }

    /// All of `add(contentsOf:)`, then the addresses that did not fail, at once.
    public func add(contentsOf addresses: [VirtualAddressSpec],
                    applied: ([VirtualAddressSpec]) -> Void) -> [VirtualAddressFailure] {
        let failures = add(contentsOf: addresses)
        let failed = Set(failures.map(\.address))
        let inPlace = failed.isEmpty ? addresses : addresses.filter { !failed.contains($0) }
        if !inPlace.isEmpty { applied(inPlace) }
        return failures
    }

    /// One `remove` per address.
    public func remove(contentsOf addresses: [VirtualAddressSpec]) -> [VirtualAddressFailure] {
        addresses.compactMap { spec in
            do { try remove(spec); return nil } catch { return VirtualAddressFailure(address: spec, error: error) }
        }
    }

    /// Implementations without a path worth rehearsing report the addresses at once.
    public func rehearseAdd(contentsOf addresses: [VirtualAddressSpec], applied: ([VirtualAddressSpec]) -> Void) {
        if !addresses.isEmpty { applied(addresses) }
    }
}

/// Sends gratuitous ARPs / unsolicited neighbour advertisements. Returns at once;
/// the implementation runs the schedule's bursts in the background.
public protocol NeighborAnnouncing: Sendable {
    func announce(_ addresses: [VirtualAddressSpec], virtualRouterID: VirtualRouterID, schedule: AnnounceSchedule)
    /// One round for `addresses` ahead of `announce(_:virtualRouterID:schedule:firstRoundSent:)`:
    /// sent before this returns, or with `inBackground` from the announcer's own thread
    /// (in call order, and dropped by `cancelAnnouncements`), so the caller can go on
    /// adding the group's next addresses meanwhile. The two have no defaults: an
    /// implementation that provided one and not the other would drop or repeat the
    /// first round.
    func announceFirstRound(_ addresses: [VirtualAddressSpec], virtualRouterID: VirtualRouterID, inBackground: Bool)
    /// `announce`, with the first round already sent through `announceFirstRound`
    /// when `firstRoundSent`: only the rest of the schedule is left.
    func announce(_ addresses: [VirtualAddressSpec], virtualRouterID: VirtualRouterID, schedule: AnnounceSchedule,
                  firstRoundSent: Bool)
    /// Drops the bursts still pending for `virtualRouterID` (its VIPs are being
    /// removed: a later burst would pull clients to a node that no longer has them).
    func cancelAnnouncements(virtualRouterID: VirtualRouterID)
    /// Goes through everything the first announcement round does except putting
    /// frames on the wire. See `TakeoverRehearsal`.
    func rehearseAnnouncement(_ addresses: [VirtualAddressSpec])
}

extension NeighborAnnouncing {
    /// Implementations without delayed bursts have nothing to cancel.
    public func cancelAnnouncements(virtualRouterID: VirtualRouterID) {}
    public func rehearseAnnouncement(_ addresses: [VirtualAddressSpec]) {}
}

/// A VRRP packet as a receive socket hands it to the engine.
public struct InboundPacket: Sendable, Hashable {
    /// The interface it arrived on.
    public var interface: String
    /// Payload and IP header fields for the receive checks.
    public var packet: ReceivedPacket
    /// When the kernel received it (`SO_TIMESTAMPNS`), if the socket reports that.
    public var receivedAt: WallClockTime?
    /// Longer than the socket's receive buffer: the payload is cut, and the packet is
    /// dropped and counted as `packet_len_err` (no VRRP advert is that long).
    public var isTruncated: Bool
    /// The receiving socket's count of packets the kernel dropped for a full receive
    /// queue, as reported with this packet (`SO_RXQ_OVFL`); nil while none were.
    public var receiveQueueDrops: UInt32?

    public init(interface: String, packet: ReceivedPacket, receivedAt: WallClockTime? = nil,
                isTruncated: Bool = false, receiveQueueDrops: UInt32? = nil) {
        self.interface = interface
        self.packet = packet
        self.receivedAt = receivedAt
        self.isTruncated = isTruncated
        self.receiveQueueDrops = receiveQueueDrops
    }
}

/// Takes state-change notifications for delivery; never blocks the caller.
/// `NotifyDispatcher` is the real one.
public protocol NotifyQueue: Sendable {
    func enqueue(_ notification: NotifyEvent, spec: NotifySpec)
    /// Where transitions and the results of their notify calls are kept; nil: nowhere.
    var transitionHistory: TransitionHistory? { get }
}

extension NotifyQueue {
    public var transitionHistory: TransitionHistory? { nil }
}

extension NotifyDispatcher: NotifyQueue {}
