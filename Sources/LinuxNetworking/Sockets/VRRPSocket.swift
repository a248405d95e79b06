import CLinuxShim
import Glibc
import Synchronization
import VRRPWire

/// A raw IP protocol-112 socket bound to one interface and one address family,
/// shared by every VRRP instance on that interface (one socket, not one thread,
/// per interface and family).
///
/// - Receive: `receiveAll` reads every waiting datagram with `recvmmsg`, on the
///   thread that watches the socket (the engine thread, see `LinuxVRRPTransport`).
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

    /// The configuration this socket was opened with.
    public let configuration: Configuration
    /// The kernel index of `configuration.interface` at open.
    public let interfaceIndex: Int32
    /// The raw socket: the transport watches it on the engine thread, which reads it
    /// (`receiveAll`).
    let descriptor: Int32
    /// A UDP socket in the same namespace used only for route lookups (source selection).
    let probeDescriptor: Int32
    let closed = Atomic<Bool>(false)
    /// The thread that reads the socket (`read(on:_:)`), unwatched at close.
    let reader = Mutex<EngineThread?>(nil)
    /// `send(batch:)`'s buffers, allocated on its first use.
    let sendBuffers = Mutex<SendBuffers?>(nil)

    /// Opens, binds to the interface and joins the configured groups. Nothing reads
    /// it until the transport watches it.
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
    }

    deinit { close() }

    /// Stops reading and closes the socket (idempotent).
    public func close() {
        guard !closed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        // Read by an engine thread: that thread closes it once it no longer polls it.
        if let thread = reader.withLock({ $0 }) { thread.unwatchAndClose(descriptor) } else { _ = Glibc.close(descriptor) }
        _ = Glibc.close(probeDescriptor)
    }

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
