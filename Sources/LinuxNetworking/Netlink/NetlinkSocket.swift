import CLinuxShim
import Glibc
import Synchronization

/// A NETLINK_ROUTE socket for request/response: each request carries NLM_F_ACK,
/// the reply is read until the ACK (or NLMSG_DONE for dumps), and a negative
/// ACK becomes `.netlink` with the kernel's extended-ACK message.
///
/// Requests are serialized by a lock; each takes tens of microseconds, so callers
/// use it synchronously. It stays in the network namespace it was created in.
final class NetlinkSocket: Sendable {
    private let descriptor: Int32
    /// The sequence counter and the receive buffer, used under one lock. The buffer
    /// is allocated once: a fresh 32 KiB per request meant fresh pages to fault in and
    /// zero on a takeover, between the advert and the first gratuitous ARP.
    private let state = Mutex(State())

    private struct State {
        var sequence: UInt32 = 1
        var buffer = [UInt8](repeating: 0, count: 32768)
    }

    init() throws {
        descriptor = try check(socket(AF_NETLINK, clinux_SOCK_RAW | clinux_SOCK_CLOEXEC, NETLINK_ROUTE),
                               "socket", "AF_NETLINK")
        do {
            try setIntOption(descriptor, SOL_NETLINK, clinux_NETLINK_EXT_ACK, 1, "NETLINK_EXT_ACK")
            var address = sockaddr_nl()
            address.nl_family = sa_family_t(AF_NETLINK)
            _ = try withUnsafeBytes(of: &address) { raw in
                try check(bind(descriptor, raw.baseAddress!.assumingMemoryBound(to: sockaddr.self),
                               socklen_t(MemoryLayout<sockaddr_nl>.size)), "bind", "netlink")
            }
        } catch {
            close(descriptor)
            throw error
        }
    }

    deinit { close(descriptor) }

    /// Sends one request and returns every reply message before the ACK/DONE.
    func request(type: UInt16, flags: UInt16, payload: [UInt8], operation: @autoclosure () -> String) throws -> [NetlinkMessage] {
        try state.withLock { s in
            s.sequence &+= 1
            let mySequence = s.sequence
            let message = NetlinkMessage(type: type, flags: flags | UInt16(NLM_F_REQUEST) | UInt16(NLM_F_ACK),
                                         sequence: mySequence, payload: payload)
            let bytes = message.encoded()
            let sent = bytes.withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, 0) }
            try check(sent, "send", "netlink \(operation())")
            var replies: [NetlinkMessage] = []
            while true {
                let n = s.buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
                if n < 0 {
                    if errno == EINTR { continue }
                    throw LinuxNetworkingError.systemCall(name: "recv", errno: errno, context: "netlink \(operation())")
                }
                for reply in try NetlinkMessage.parse(s.buffer[0..<n]) where reply.sequence == mySequence {
                    switch Int32(reply.type) {
                    case NLMSG_ERROR:
                        let code = reply.payload.count >= 4 ? Int32(bitPattern: reply.payload[...].u32(at: 0)) : -EIO
                        if code == 0 { return replies }
                        throw LinuxNetworkingError.netlink(operation: operation(), errno: -code,
                                                           message: Self.extendedAckMessage(reply))
                    case NLMSG_DONE:
                        return replies
                    default:
                        replies.append(reply)
                    }
                }
            }
        }
    }

    /// One request of a batch: message type, flags (NLM_F_REQUEST and NLM_F_ACK are
    /// added) and payload. Not for dumps.
    struct Request: Sendable {
        var type: UInt16
        var flags: UInt16
        var payload: [UInt8]
        /// Names the request in errors; formatted only when one is reported (formatting
        /// eagerly costs 1,000 descriptions per takeover of a 1,000-VIP group).
        var describe: @Sendable () -> String

        init(type: UInt16, flags: UInt16, payload: [UInt8], operation: @escaping @Sendable @autoclosure () -> String) {
            self.type = type
            self.flags = flags
            self.payload = payload
            describe = operation
        }

        var operation: String { describe() }
    }

    /// At most this many requests are in flight: their ACKs (one skb each, about
    /// 1 KiB of receive buffer) must fit the socket's default receive buffer, or the
    /// kernel drops the overflow and we would wait for an ACK that never comes.
    static let batchWindow = 64

    /// Sends `requests` pipelined — up to `batchWindow` messages per `send`, then their
    /// ACKs collected — and returns each request's outcome in order: its reply
    /// messages, or its `.netlink` error. The kernel handles the messages of one
    /// datagram in order and one failure does not stop the others, so this equals
    /// calling `request` once per element, with a fraction of the system calls.
    /// `afterWindow` sees each window's outcomes (with their indices in `requests`) as
    /// soon as its ACKs are in, before the next window is sent.
    func requests(_ requests: [Request],
                  afterWindow: (Range<Int>, ArraySlice<Result<[NetlinkMessage], LinuxNetworkingError>>) -> Void = { _, _ in })
        throws -> [Result<[NetlinkMessage], LinuxNetworkingError>] {
        try state.withLock { s in
            var outcomes: [Result<[NetlinkMessage], LinuxNetworkingError>] = []
            outcomes.reserveCapacity(requests.count)
            var start = requests.startIndex
            while start < requests.endIndex {
                let window = requests[start..<min(start + Self.batchWindow, requests.endIndex)]
                let firstSequence = s.sequence &+ 1
                var datagram: [UInt8] = []
                for request in window {
                    s.sequence &+= 1
                    datagram += NetlinkMessage(type: request.type, flags: request.flags | UInt16(NLM_F_REQUEST) | UInt16(NLM_F_ACK),
                                               sequence: s.sequence, payload: request.payload).encoded()
                }
                let sent = datagram.withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, 0) }
                try check(sent, "send", "netlink batch of \(window.count) from \(window.first!.operation)")
                var pending: [Result<[NetlinkMessage], LinuxNetworkingError>?] = Array(repeating: nil, count: window.count)
                var replies: [[NetlinkMessage]] = Array(repeating: [], count: window.count)
                var open = window.count
                while open > 0 {
                    let n = s.buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
                    if n < 0 {
                        if errno == EINTR { continue }
                        throw LinuxNetworkingError.systemCall(name: "recv", errno: errno, context: "netlink batch")
                    }
                    for reply in try NetlinkMessage.parse(s.buffer[0..<n]) {
                        let slot = Int(reply.sequence &- firstSequence)
                        guard slot >= 0, slot < window.count, pending[slot] == nil else { continue }
                        switch Int32(reply.type) {
                        case NLMSG_ERROR:
                            let code = reply.payload.count >= 4 ? Int32(bitPattern: reply.payload[...].u32(at: 0)) : -EIO
                            let request = window[window.startIndex + slot]
                            pending[slot] = code == 0 ? .success(replies[slot])
                                : .failure(.netlink(operation: request.operation, errno: -code,
                                                    message: Self.extendedAckMessage(reply)))
                            open -= 1
                        case NLMSG_DONE:
                            pending[slot] = .success(replies[slot])
                            open -= 1
                        default:
                            replies[slot].append(reply)
                        }
                    }
                }
                outcomes += pending.map { $0! }
                afterWindow(window.indices, outcomes[window.indices])
                start = window.endIndex
            }
            return outcomes
        }
    }

    /// NLMSGERR_ATTR_MSG from an error reply carrying NLM_F_ACK_TLVS.
    private static func extendedAckMessage(_ reply: NetlinkMessage) -> String? {
        guard reply.flags & 0x200 != 0, reply.payload.count >= 20 else { return nil }  // NLM_F_ACK_TLVS
        // nlmsgerr: error (4) + the original header (16); with NLM_F_CAPPED (0x100) no payload follows.
        var offset = 20
        if reply.flags & 0x100 == 0 {
            let originalLength = Int(reply.payload[...].u32(at: 4))
            offset = 4 + align4(originalLength)
        }
        guard offset <= reply.payload.count else { return nil }
        return NetlinkAttribute.parse(reply.payload[offset...]).first { $0.type == 1 }?.stringValue
    }
}
