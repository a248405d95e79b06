import CLinuxShim
import Glibc
import Synchronization
import VRRPWire

/// Tells the segment that VIPs moved here: gratuitous ARP over AF_PACKET for IPv4,
/// unsolicited neighbor advertisements over a raw ICMPv6 socket (hop limit 255,
/// to ff02::1, RFC 4861 §7.2.6) for IPv6.
///
/// Create it inside the target network namespace; `announce` is synchronous and
/// thread-safe. The rounds of a schedule are `LinuxAnnouncer`'s.
public final class NeighborAnnouncer: Sendable {
    /// The interface announced on.
    public let interface: String
    public let interfaceIndex: Int32
    /// The source MAC (the interface's, or a VRRP virtual MAC).
    public let hardwareAddress: [UInt8]
    /// Set the NA Router flag (keepalived does when IPv6 forwarding is on).
    public let isRouter: Bool
    private let packetDescriptor: Int32
    private let icmpDescriptor: Int32
    /// Whether the ICMPv6 socket is bound to the interface's link-local address.
    private let boundToLinkLocal = Mutex(false)

    public init(interface: String, hardwareAddress: [UInt8]? = nil, isRouter: Bool = false) throws {
        self.interface = interface
        interfaceIndex = try NetworkInterface.index(of: interface)
        self.hardwareAddress = try hardwareAddress ?? NetworkInterface.hardwareAddress(of: interface)
        self.isRouter = isRouter
        // Protocol 0: a send-only packet socket that never queues received frames.
        packetDescriptor = try check(socket(AF_PACKET, clinux_SOCK_RAW | clinux_SOCK_CLOEXEC, 0), "socket", "AF_PACKET")
        do {
            icmpDescriptor = try check(socket(AF_INET6, clinux_SOCK_RAW | clinux_SOCK_CLOEXEC, Int32(IPPROTO_ICMPV6)),
                                       "socket", "ICMPv6")
        } catch {
            _ = Glibc.close(packetDescriptor)
            throw error
        }
        do {
            try setIntOption(icmpDescriptor, SOL_SOCKET, clinux_SO_BINDTOIFINDEX, interfaceIndex, "SO_BINDTOIFINDEX")
            try setIntOption(icmpDescriptor, Int32(IPPROTO_IPV6), IPV6_MULTICAST_HOPS, 255, "IPV6_MULTICAST_HOPS")
            try setIntOption(icmpDescriptor, Int32(IPPROTO_IPV6), IPV6_MULTICAST_IF, interfaceIndex, "IPV6_MULTICAST_IF")
            try setIntOption(icmpDescriptor, Int32(IPPROTO_IPV6), IPV6_MULTICAST_LOOP, 0, "IPV6_MULTICAST_LOOP")
            // Block every incoming ICMPv6 type: this socket only sends.
            var filter = [UInt32](repeating: 0xFFFF_FFFF, count: 8)
            try check(setsockopt(icmpDescriptor, Int32(IPPROTO_ICMPV6), ICMP6_FILTER, &filter, 32), "setsockopt", "ICMP6_FILTER")
        } catch {
            _ = Glibc.close(packetDescriptor)
            _ = Glibc.close(icmpDescriptor)
            throw error
        }
    }

    deinit {
        _ = Glibc.close(packetDescriptor)
        _ = Glibc.close(icmpDescriptor)
    }

    /// Sends one announcement per address, now.
    public func announce(_ addresses: [IPAddress]) throws {
        try announce(addresses, rehearsal: false)
    }

    /// Everything `announce` does except transmitting: the GARP frames are handed to
    /// the kernel with length 0 (refused before a frame exists) and the NAs with
    /// `MSG_PROBE`. Warms the path before the first takeover; errors are ignored.
    public func rehearse(_ addresses: [IPAddress]) {
        try? announce(addresses, rehearsal: true)
    }

    private func announce(_ addresses: [IPAddress], rehearsal: Bool) throws {
        if addresses.contains(where: { $0.family == .ipv6 }) { bindLinkLocalSource() }
        for address in addresses {
            switch address {
            case .v4(let a): try sendGratuitousARP(a, rehearsal: rehearsal)
            case .v6(let a): try sendNeighborAdvertisement(a, rehearsal: rehearsal)
            }
        }
    }

    /// Sends NAs from the link-local address (RFC 4861 §7.2.6 allows any of the
    /// interface's addresses). Unbound, the kernel selects a source for every NA,
    /// scoring every address on the interface: with 1,000 VIPs one round of NAs took
    /// about 1.7 s instead of 9 ms. Looked up at the first NA, not at creation: an
    /// announcer made when the daemon starts may predate the link-local address (still
    /// in DAD); until one exists the kernel chooses, and the next round tries again.
    private func bindLinkLocalSource() {
        boundToLinkLocal.withLock { bound in
            guard !bound, let linkLocal = NetworkInterface.linkLocalAddress(of: interface) else { return }
            var source = SocketAddress.sockaddrIn6(linkLocal, scopeID: UInt32(interfaceIndex))
            bound = withUnsafeBytes(of: &source) { raw in
                bind(icmpDescriptor, raw.baseAddress!.assumingMemoryBound(to: sockaddr.self),
                     socklen_t(MemoryLayout<sockaddr_in6>.size))
            } == 0
        }
    }

    private func sendGratuitousARP(_ address: IPv4Address, rehearsal: Bool) throws {
        let frame = GratuitousARP(senderMAC: MACAddress(bytes: hardwareAddress) ?? .broadcast, address: address).frame.bytes
        var link = sockaddr_ll()
        link.sll_family = UInt16(AF_PACKET)
        link.sll_protocol = UInt16(clinux_ETH_P_ARP).bigEndian
        link.sll_ifindex = interfaceIndex
        link.sll_halen = 6
        withUnsafeMutableBytes(of: &link.sll_addr) { raw in
            for i in 0..<6 { raw[i] = 0xFF }
        }
        let sent = frame.withUnsafeBytes { bytes in
            withUnsafeBytes(of: &link) { raw in
                sendto(packetDescriptor, bytes.baseAddress, rehearsal ? 0 : bytes.count, 0,
                       raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), socklen_t(MemoryLayout<sockaddr_ll>.size))
            }
        }
        if rehearsal { return }
        try check(sent, "sendto", "gratuitous ARP \(address) on \(interface)")
    }

    private func sendNeighborAdvertisement(_ target: IPv6Address, rehearsal: Bool) throws {
        // The kernel fills the ICMPv6 checksum on a raw ICMPv6 socket.
        let message = NeighborAdvertisement(targetMAC: MACAddress(bytes: hardwareAddress) ?? .broadcast, target: target,
                                            isRouter: isRouter).icmpv6Message
        var to = SocketAddress.sockaddrIn6(.allNodes, scopeID: UInt32(interfaceIndex))
        let sent = message.withUnsafeBytes { bytes in
            withUnsafeBytes(of: &to) { raw in
                sendto(icmpDescriptor, bytes.baseAddress, bytes.count, rehearsal ? clinux_MSG_PROBE : 0,
                       raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), socklen_t(MemoryLayout<sockaddr_in6>.size))
            }
        }
        if rehearsal { return }
        try check(sent, "sendto", "neighbor advertisement \(target) on \(interface)")
    }
}
