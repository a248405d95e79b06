import CLinuxShim
import Glibc
import Synchronization
import VRRPWire

/// A raw IP protocol-112 socket bound to one interface and one address family,
/// shared by every VRRP instance on that interface (one socket, not one thread,
/// per interface and family).
///
/// - Receive: a `DispatchSource` drains the socket and fans packets out to
///   subscribers (`subscribe(_:)`), each with its own `AsyncStream` and filter.
///   IPv4 reads the TTL and addresses from the IP header the kernel delivers;
///   IPv6 reads the hop limit and destination from `IPV6_HOPLIMIT`/`IPV6_PKTINFO`
///   control messages.
/// - Send: `send(_:to:options:)` with TTL/hop limit 255 (RFC 5798 §5.1.1.3) and the
///   configured or kernel-chosen source address, both set per packet via control
///   messages. For IPv6 the kernel fills the VRRPv3 checksum (IPV6_CHECKSUM 6).
///
/// Must be created on a thread in the target network namespace; it stays in that
/// namespace for its lifetime, whichever thread uses it later.
public final class VRRPSocket: Sendable {
    /// What to open.
    public struct Configuration: Hashable, Sendable {
        /// The interface name (`interface` in keepalived.conf).
        public var interface: String
        /// IPv4 or IPv6.
        public var family: AddressFamily
        /// Multicast groups joined at open; empty for unicast-only use.
        public var multicastGroups: [IPAddress]
        /// The source of sent packets (`unicast_src_ip`); nil lets the kernel choose
        /// the interface's primary address (IPv6: its link-local address).
        public var sourceAddress: IPAddress?

        public init(interface: String, family: AddressFamily, multicastGroups: [IPAddress]? = nil,
                    sourceAddress: IPAddress? = nil) {
            self.interface = interface
            self.family = family
            self.multicastGroups = multicastGroups ?? [Self.defaultGroup(family)]
            self.sourceAddress = sourceAddress
        }

        /// 224.0.0.18 or ff02::12.
        public static func defaultGroup(_ family: AddressFamily) -> IPAddress {
            family == .ipv4 ? .v4(.vrrpMulticastGroup) : .v6(.vrrpMulticastGroup)
        }
    }

    /// Per-packet send settings.
    public struct SendOptions: Hashable, Sendable {
        /// IPv4 TTL / IPv6 hop limit; RFC 5798 requires 255 (anything else is for tests).
        public var hopLimit: UInt8
        /// Overrides the configured source address for this packet.
        public var sourceAddress: IPAddress?
        /// IPv4 only: compute the VRRPv3 checksum with the pseudo-header for this
        /// packet's source and destination (needed per unicast peer). VRRPv2 payloads
        /// carry their own checksum and leave this false. IPv6: always the kernel.
        public var fillVRRPv3Checksum: Bool

        public init(hopLimit: UInt8 = 255, sourceAddress: IPAddress? = nil, fillVRRPv3Checksum: Bool = false) {
            self.hopLimit = hopLimit
            self.sourceAddress = sourceAddress
            self.fillVRRPv3Checksum = fillVRRPv3Checksum
        }
    }

    /// Counters since open (keepalived names in comments).
    public struct Statistics: Hashable, Sendable {
        /// Packets read from the socket.
        public var received = 0
        /// Packets handed to at least one subscriber.
        public var delivered = 0
        /// Packets rejected because a unicast subscriber did not list the source as a peer.
        public var rejectedNonPeer = 0
        /// Packets too short to carry an IP header, or whose control data was truncated.
        public var malformed = 0
        /// Packets longer than the receive buffer (`ReceiveBuffer`): delivered with
        /// `isTruncated` set, for the engine to count as `packet_len_err`.
        public var oversized = 0
        /// Packets the kernel dropped because this socket's receive queue was full,
        /// since open (`SO_RXQ_OVFL`, as last reported with a received packet).
        public var receiveQueueDrops: UInt32 = 0
        /// Packets sent (advert_sent).
        public var sent = 0
        public init() {}
    }

    /// Where a subscriber's packets go: one stream element per packet, or one
    /// handler call per socket drain (the daemon's path: no task hop, many packets).
    enum Sink {
        case single(AsyncStream<ReceivedVRRPPacket>.Continuation)
        /// Called on the socket's read queue, outside its lock.
        case handler(@Sendable ([ReceivedVRRPPacket]) -> Void)

        func finish() {
            switch self {
            case .single(let c): c.finish()
            case .handler: break
            }
        }
    }

    struct Subscriber {
        var filter: VRRPReceiveFilter
        var sink: Sink
        var rejectedNonPeer = 0
        var delivered = 0
    }

    struct State {
        var subscribers: [UInt64: Subscriber] = [:]
        var nextID: UInt64 = 0
        var statistics = Statistics()
        var closed = false
    }

    /// The configuration this socket was opened with.
    public let configuration: Configuration
    /// The kernel index of `configuration.interface` at open.
    public let interfaceIndex: Int32
    let descriptor: Int32
    /// A UDP socket in the same namespace used only for route lookups (source selection).
    let probeDescriptor: Int32
    let state = Mutex(State())
    private let readSource: ReadSource

    /// Opens, binds to the interface, joins the configured groups and starts reading.
    public init(_ configuration: Configuration) throws {
        self.configuration = configuration
        let index = try NetworkInterface.index(of: configuration.interface)
        interfaceIndex = index
        let domain = configuration.family == .ipv4 ? AF_INET : AF_INET6
        let fd = try check(socket(domain, clinux_SOCK_RAW | clinux_SOCK_CLOEXEC, 112),
                           "socket", "raw protocol 112")
        let probe: Int32
        do {
            try Self.configure(fd, family: configuration.family, index: index)
            for group in configuration.multicastGroups {
                try Self.membership(fd, group: group, index: index, join: true)
            }
            try setNonBlocking(fd)
            probe = try check(socket(domain, clinux_SOCK_DGRAM | clinux_SOCK_CLOEXEC, 0), "socket", "probe")
            try setIntOption(probe, SOL_SOCKET, clinux_SO_BINDTOIFINDEX, index, "SO_BINDTOIFINDEX")
        } catch {
            _ = Glibc.close(fd)
            throw error
        }
        descriptor = fd
        probeDescriptor = probe
        let buffer = ReceiveBuffer()
        let box = WeakSocket()
        readSource = ReadSource(descriptor: fd) { box.socket?.drain(buffer) }
        box.socket = self
        readSource.resume()
    }

    deinit { close() }

    /// Stops reading, finishes every subscriber's stream and closes the socket.
    public func close() {
        let subscribers: [Subscriber]? = state.withLock { s in
            guard !s.closed else { return nil }
            s.closed = true
            defer { s.subscribers = [:] }
            return Array(s.subscribers.values)
        }
        guard let subscribers else { return }
        for sub in subscribers { sub.sink.finish() }
        readSource.cancel()
        _ = Glibc.close(probeDescriptor)
    }

    /// A snapshot of the socket's counters.
    public var statistics: Statistics { state.withLock { $0.statistics } }

    /// Joins (or leaves) a multicast group on this socket's interface.
    public func join(group: IPAddress) throws {
        try Self.membership(descriptor, group: group, index: interfaceIndex, join: true)
    }

    public func leave(group: IPAddress) throws {
        try Self.membership(descriptor, group: group, index: interfaceIndex, join: false)
    }

    private static func configure(_ fd: Int32, family: AddressFamily, index: Int32) throws {
        try setIntOption(fd, SOL_SOCKET, clinux_SO_BINDTOIFINDEX, index, "SO_BINDTOIFINDEX")
        // The kernel's receive time of each packet: the Master_Down_Timer restarts from it.
        try setIntOption(fd, SOL_SOCKET, clinux_SO_TIMESTAMPNS, 1, "SO_TIMESTAMPNS")
        // The count of packets dropped for a full receive queue, with each packet: a
        // flood that overruns the socket is counted instead of silently thinning adverts.
        try setIntOption(fd, SOL_SOCKET, clinux_SO_RXQ_OVFL, 1, "SO_RXQ_OVFL")
        switch family {
        case .ipv4:
            try setIntOption(fd, Int32(IPPROTO_IP), IP_PKTINFO, 1, "IP_PKTINFO")
            try setIntOption(fd, Int32(IPPROTO_IP), IP_TTL, 255, "IP_TTL")
            try setIntOption(fd, Int32(IPPROTO_IP), IP_MULTICAST_TTL, 255, "IP_MULTICAST_TTL")
            try setIntOption(fd, Int32(IPPROTO_IP), IP_MULTICAST_LOOP, 0, "IP_MULTICAST_LOOP")
            // Only groups this socket joined, not every group some other socket joined.
            try setIntOption(fd, Int32(IPPROTO_IP), clinux_IP_MULTICAST_ALL, 0, "IP_MULTICAST_ALL")
            var mreq = ip_mreqn()
            mreq.imr_ifindex = index
            try check(setsockopt(fd, Int32(IPPROTO_IP), IP_MULTICAST_IF, &mreq, socklen_t(MemoryLayout<ip_mreqn>.size)),
                      "setsockopt", "IP_MULTICAST_IF")
        case .ipv6:
            let v6 = Int32(IPPROTO_IPV6)
            try setIntOption(fd, v6, clinux_IPV6_CHECKSUM, 6, "IPV6_CHECKSUM")
            try setIntOption(fd, v6, clinux_IPV6_RECVHOPLIMIT, 1, "IPV6_RECVHOPLIMIT")
            try setIntOption(fd, v6, clinux_IPV6_RECVPKTINFO, 1, "IPV6_RECVPKTINFO")
            try setIntOption(fd, v6, IPV6_UNICAST_HOPS, 255, "IPV6_UNICAST_HOPS")
            try setIntOption(fd, v6, IPV6_MULTICAST_HOPS, 255, "IPV6_MULTICAST_HOPS")
            try setIntOption(fd, v6, IPV6_MULTICAST_LOOP, 0, "IPV6_MULTICAST_LOOP")
            try setIntOption(fd, v6, clinux_IPV6_MULTICAST_ALL, 0, "IPV6_MULTICAST_ALL")
            try setIntOption(fd, v6, IPV6_MULTICAST_IF, index, "IPV6_MULTICAST_IF")
        }
    }

    private static func membership(_ fd: Int32, group: IPAddress, index: Int32, join: Bool) throws {
        switch group {
        case .v4(let a):
            var mreq = ip_mreqn()
            mreq.imr_multiaddr = SocketAddress.inAddr(a)
            mreq.imr_ifindex = index
            try check(setsockopt(fd, Int32(IPPROTO_IP), join ? IP_ADD_MEMBERSHIP : IP_DROP_MEMBERSHIP, &mreq,
                                 socklen_t(MemoryLayout<ip_mreqn>.size)), "setsockopt", "membership \(a)")
        case .v6(let a):
            var mreq = ipv6_mreq()
            mreq.ipv6mr_multiaddr = SocketAddress.in6Addr(a)
            mreq.ipv6mr_interface = UInt32(index)
            try check(setsockopt(fd, Int32(IPPROTO_IPV6), join ? IPV6_ADD_MEMBERSHIP : IPV6_DROP_MEMBERSHIP, &mreq,
                                 socklen_t(MemoryLayout<ipv6_mreq>.size)), "setsockopt", "membership \(a)")
        }
    }
}

/// Breaks the socket ⇄ read-handler cycle so `deinit` can run.
final class WeakSocket: @unchecked Sendable {
    // Written once in VRRPSocket.init before the handler can observe it through the queue.
    weak var socket: VRRPSocket?
}
