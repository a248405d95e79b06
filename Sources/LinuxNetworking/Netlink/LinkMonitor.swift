import CLinuxShim
import Glibc
import Synchronization

/// Link and address changes from the rtnetlink multicast groups RTNLGRP_LINK,
/// RTNLGRP_IPV4_IFADDR and RTNLGRP_IPV6_IFADDR (or links only), as
/// `AsyncStream<LinkEvent>`s.
///
/// At start (and whenever the kernel reports lost events with ENOBUFS) the monitor
/// dumps every link and address, so a consumer always converges on the current
/// state. Events carry interface names: a tracked interface that does not exist
/// at startup is reported when it is created — no stuck FAULT (keepalived #2259).
///
/// Create it inside the target network namespace.
public final class LinkMonitor: Sendable {
    private struct State {
        var continuations: [UInt64: AsyncStream<LinkEvent>.Continuation] = [:]
        var nextID: UInt64 = 0
        var names: [Int32: String] = [:]
        var closed = false
    }

    private let descriptor: Int32
    private let requests: NetlinkSocket
    private let state = Mutex(State())
    private let readSource: ReadSource
    /// Whether address changes are subscribed to (and dumped in snapshots).
    public let reportsAddresses: Bool

    /// `addressEvents: false` subscribes to link changes only. The daemon does: it
    /// acts on no address event, and subscribed, every VIP it adds made the kernel
    /// copy a notification to this socket and wake its reader — inside the
    /// `sendmsg` of the add, between the takeover advert and the first gratuitous
    /// ARP — and a group of 1,000 VIPs overflowed it into full re-dumps.
    public init(addressEvents: Bool = true) throws {
        reportsAddresses = addressEvents
        let fd = try check(socket(AF_NETLINK, clinux_SOCK_RAW | clinux_SOCK_CLOEXEC, NETLINK_ROUTE), "socket", "AF_NETLINK")
        do {
            var address = sockaddr_nl()
            address.nl_family = sa_family_t(AF_NETLINK)
            address.nl_groups = UInt32(addressEvents ? RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR : RTMGRP_LINK)
            _ = try withUnsafeBytes(of: &address) { raw in
                try check(bind(fd, raw.baseAddress!.assumingMemoryBound(to: sockaddr.self),
                               socklen_t(MemoryLayout<sockaddr_nl>.size)), "bind", "netlink groups")
            }
            try setIntOption(fd, SOL_SOCKET, SO_RCVBUF, 1 << 20, "SO_RCVBUF")
            try setNonBlocking(fd)
            requests = try NetlinkSocket()
        } catch {
            _ = Glibc.close(fd)
            throw error
        }
        descriptor = fd
        let box = WeakMonitor()
        readSource = ReadSource(descriptor: fd) { box.monitor?.drain() }
        box.monitor = self
        readSource.resume()
    }

    deinit { close() }

    /// A new stream of events. It starts with the current links and addresses
    /// (a snapshot taken after subscribing, so nothing falls between the two).
    public func events(bufferingNewest limit: Int = 1024) -> AsyncStream<LinkEvent> {
        let (stream, continuation) = AsyncStream.makeStream(of: LinkEvent.self, bufferingPolicy: .bufferingNewest(limit))
        let id: UInt64? = state.withLock { s in
            guard !s.closed else { return nil }
            s.nextID += 1
            s.continuations[s.nextID] = continuation
            return s.nextID
        }
        guard let id else {
            continuation.finish()
            return stream
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.state.withLock { $0.continuations.removeValue(forKey: id) }
        }
        for event in snapshot() { continuation.yield(event) }
        return stream
    }

    /// The current links and addresses as events.
    public func snapshot() -> [LinkEvent] {
        var events: [LinkEvent] = []
        let linkDump = AddressManager.ifinfomsg(index: 0)
        if let links = try? requests.request(type: UInt16(RTM_GETLINK), flags: UInt16(NLM_F_DUMP), payload: linkDump,
                                             operation: "RTM_GETLINK dump") {
            events += links.compactMap(event)
        }
        guard reportsAddresses else { return events }
        let addressDump = AddressManager.ifaddrmsg(raw: UInt8(AF_UNSPEC), prefix: 0, flags: 0, scope: 0, index: 0)
        if let addresses = try? requests.request(type: UInt16(RTM_GETADDR), flags: UInt16(NLM_F_DUMP),
                                                 payload: addressDump, operation: "RTM_GETADDR dump") {
            events += addresses.compactMap(event)
        }
        return events
    }

    /// Finishes every stream and closes the socket.
    public func close() {
        let continuations: [AsyncStream<LinkEvent>.Continuation]? = state.withLock { s in
            guard !s.closed else { return nil }
            s.closed = true
            defer { s.continuations = [:] }
            return Array(s.continuations.values)
        }
        guard let continuations else { return }
        for c in continuations { c.finish() }
        readSource.cancel()
    }

    private func drain() {
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, clinux_MSG_DONTWAIT) }
            if n < 0 {
                if errno == EINTR { continue }
                // The kernel dropped events: rebuild the picture from a fresh dump.
                if errno == ENOBUFS { publish(snapshot()); continue }
                return
            }
            guard let messages = try? NetlinkMessage.parse(buffer[0..<n]) else { continue }
            publish(messages.compactMap(event))
        }
    }

    private func publish(_ events: [LinkEvent]) {
        guard !events.isEmpty else { return }
        let continuations = state.withLock { Array($0.continuations.values) }
        for event in events { for c in continuations { c.yield(event) } }
    }

    /// What one RTM_NEWLINK/DELLINK/NEWADDR/DELADDR message says.
    enum Decoded {
        case link(LinkStatus, removed: Bool)
        case address(InterfaceAddress, added: Bool)
    }

    /// Decodes one message; nil for other types and for payloads that do not parse.
    static func decode(_ message: NetlinkMessage) -> Decoded? {
        switch Int32(message.type) {
        case Int32(RTM_NEWLINK), Int32(RTM_DELLINK):
            parseLink(message.payload).map { .link($0, removed: Int32(message.type) == Int32(RTM_DELLINK)) }
        case Int32(RTM_NEWADDR), Int32(RTM_DELADDR):
            AddressManager.parseAddress(message.payload).map { .address($0, added: Int32(message.type) == Int32(RTM_NEWADDR)) }
        default:
            nil
        }
    }

    /// Turns one message into an event, keeping the index → name table current.
    private func event(_ message: NetlinkMessage) -> LinkEvent? {
        switch Self.decode(message) {
        case .link(let status, let removed):
            state.withLock { s in
                if removed { s.names[status.index] = nil } else { s.names[status.index] = status.name }
            }
            return removed ? .linkRemoved(status) : .linkChanged(status)
        case .address(let address, let added):
            let name = state.withLock { $0.names[address.interfaceIndex] }
                ?? linkName(address.interfaceIndex)
            return added ? .addressAdded(address, interface: name) : .addressRemoved(address, interface: name)
        case nil:
            return nil
        }
    }

    /// Index → name over netlink (so in the monitor's namespace, from any thread).
    private func linkName(_ index: Int32) -> String? {
        guard let reply = try? requests.request(type: UInt16(RTM_GETLINK), flags: 0,
                                                payload: AddressManager.ifinfomsg(index: index),
                                                operation: "RTM_GETLINK #\(index)").first else { return nil }
        return Self.parseLink(reply.payload)?.name
    }

    static func parseLink(_ payload: [UInt8]) -> LinkStatus? {
        guard payload.count >= 16 else { return nil }
        let index = Int32(bitPattern: payload[...].u32(at: 4))
        let flags = payload[...].u32(at: 8)
        let attributes = NetlinkAttribute.parse(payload[16...])
        guard let name = attributes.first(where: { $0.type == UInt16(IFLA_IFNAME) })?.stringValue else { return nil }
        let operState = attributes.first { $0.type == UInt16(IFLA_OPERSTATE) }?.value.first
        return LinkStatus(index: index, name: name, isAdministrativelyUp: flags & UInt32(IFF_UP) != 0,
                          hasCarrier: flags & 0x10000 != 0,  // IFF_LOWER_UP
                          operationalState: operState)
    }
}

final class WeakMonitor: @unchecked Sendable {
    // Written once before the read source is resumed.
    weak var monitor: LinkMonitor?
}

extension LinkMonitor {
    /// Runs every decoder the monitor and the address manager apply to a datagram
    /// from the kernel — message framing, link and address payloads, attributes —
    /// and returns how many messages decoded. The entry point of the netlink fuzz
    /// target (scripts/fuzz): the same functions, without a socket.
    @_spi(Fuzzing) public static func decodeDatagram(_ bytes: [UInt8]) -> Int {
        guard let messages = try? NetlinkMessage.parse(bytes[...]) else { return 0 }
        return messages.compactMap(decode).count
    }
}
