import CLinuxShim
import FailoverRuntime
import Glibc
import VRRPWire

/// Buffers for one `recvmmsg` or `sendmmsg`: `count` message headers, each with its
/// own name, vector and `controlSize` bytes of control data, over `dataSize` bytes of
/// payload. Allocated once per socket and reused.
class MessageVectorBuffers: @unchecked Sendable {
    // Safe: each subclass says which one thread (or lock) uses it.
    let data: UnsafeMutableRawPointer
    let control: UnsafeMutableRawPointer
    let names: UnsafeMutablePointer<sockaddr_in6>
    let vectors: UnsafeMutablePointer<iovec>
    let headers: UnsafeMutablePointer<clinux_mmsghdr>

    init(count: Int, dataSize: Int, controlSize: Int) {
        data = .allocate(byteCount: dataSize, alignment: 16)
        control = .allocate(byteCount: count * controlSize, alignment: 16)
        names = .allocate(capacity: count)
        vectors = .allocate(capacity: count)
        headers = .allocate(capacity: count)
    }

    deinit {
        data.deallocate()
        control.deallocate()
        names.deallocate()
        vectors.deallocate()
        headers.deallocate()
    }
}

/// The buffers one `recvmmsg` fills: `count` datagrams of up to `datagramSize` bytes,
/// their control data and source addresses.
/// Used only on the thread that reads the socket (the engine thread).
final class ReceiveBuffers: MessageVectorBuffers, @unchecked Sendable {
    // Safe: touched only by the one thread that reads the socket.
    /// Datagrams one system call reads at most.
    static let count = 16
    /// Longer than any advert (255 IPv6 addresses are 4,088 bytes): a longer one is
    /// flagged truncated and counted.
    static let datagramSize = 4096
    static let controlSize = 256

    /// The packets of one read, handed to the receiver and then emptied keeping their
    /// storage: a growing array per wake-up would cost allocations large enough to make
    /// malloc consolidate its free lists each time.
    var packets: [InboundPacket] = []
    /// Per VRID (a VRRP payload's second byte), the payload array handed over last.
    /// A master repeats the same advert every interval: an equal payload is handed
    /// over as that array again, not copied into a new one.
    private var recentPayloads = [[UInt8]](repeating: [], count: 256)

    init() {
        super.init(count: Self.count, dataSize: Self.count * Self.datagramSize, controlSize: Self.controlSize)
        for i in 0..<Self.count {
            vectors[i] = iovec(iov_base: data + i * Self.datagramSize, iov_len: Self.datagramSize)
        }
        reset()
    }

    /// Every header back to its full buffer lengths (the kernel overwrites them).
    func reset() {
        for i in 0..<Self.count {
            var msg = msghdr()
            msg.msg_name = UnsafeMutableRawPointer(names + i)
            msg.msg_namelen = socklen_t(MemoryLayout<sockaddr_in6>.size)
            msg.msg_iov = vectors + i
            msg.msg_iovlen = 1
            msg.msg_control = control + i * Self.controlSize
            msg.msg_controllen = Self.controlSize
            headers[i] = clinux_mmsghdr(msg_hdr: msg, msg_len: 0)
        }
    }

    /// `bytes` (a VRRP payload in these buffers) as an array: the one handed over last
    /// for its VRID when the bytes are the same, else a copy (kept for the next time).
    func payload(_ bytes: UnsafeRawBufferPointer) -> [UInt8] {
        guard bytes.count > 1 else { return Array(bytes) }
        let slot = Int(bytes[1])
        let last = recentPayloads[slot]
        if last.count == bytes.count,
           last.withUnsafeBytes({ memcmp($0.baseAddress!, bytes.baseAddress!, bytes.count) == 0 }) {
            return last
        }
        let fresh = Array(bytes)
        recentPayloads[slot] = fresh
        return fresh
    }

    func datagram(_ i: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: data + i * Self.datagramSize, count: min(Int(headers[i].msg_len), Self.datagramSize))
    }
}

extension VRRPSocket {
    /// Has `thread` read this socket whenever it is readable, until `close()`, and
    /// hand each read to `deliver` on that thread, in the same wake-up: the packets in
    /// arrival order (tagged with this socket's interface) and the count of datagrams
    /// that could not be made packets. Call once.
    public func read(on thread: EngineThread, _ deliver: @escaping @Sendable (_ packets: [InboundPacket], _ malformed: Int) -> Void) {
        reader.withLock { $0 = thread }
        let buffers = ReceiveBuffers()
        buffers.packets.reserveCapacity(4 * ReceiveBuffers.count)
        thread.watch(descriptor) { [self] in
            let malformed = receiveAll(buffers)
            if !buffers.packets.isEmpty || malformed > 0 { deliver(buffers.packets, malformed) }
            buffers.packets.removeAll(keepingCapacity: true)
        }
    }

    /// Reads every datagram waiting, `ReceiveBuffers.count` per system call, until the
    /// socket would block, into `buffers.packets` (in arrival order, tagged with this
    /// socket's interface). Returns the count of datagrams dropped before they could be
    /// packets: too short for an IP header, control data cut, or (IPv6) no hop limit
    /// to check. Non-blocking; call when the descriptor is readable.
    func receiveAll(_ buffers: ReceiveBuffers) -> Int {
        var malformed = 0
        while true {
            buffers.reset()
            let n = clinux_recvmmsg(descriptor, buffers.headers, UInt32(ReceiveBuffers.count), clinux_MSG_DONTWAIT)
            if n == -EINTR { continue }
            guard n > 0 else { return malformed }
            for i in 0..<Int(n) {
                switch configuration.family {
                case .ipv4: if let p = parseIPv4(buffers, i) { buffers.packets.append(p) } else { malformed += 1 }
                case .ipv6: if let p = parseIPv6(buffers, i) { buffers.packets.append(p) } else { malformed += 1 }
                }
            }
            if n < ReceiveBuffers.count { return malformed }
        }
    }

    /// Walks datagram `i`'s control messages, calling `body(level, type, data)` for each.
    private func walkControlMessages(_ buffers: ReceiveBuffers, _ i: Int,
                                     _ body: (Int32, Int32, UnsafeRawBufferPointer) -> Void) {
        var msg = buffers.headers[i].msg_hdr
        var cmsg = clinux_cmsg_firsthdr(&msg)
        let headerLength = clinux_cmsg_len(0)
        while let c = cmsg {
            let dataLength = Int(c.pointee.cmsg_len) - headerLength
            if dataLength >= 0 {
                body(c.pointee.cmsg_level, c.pointee.cmsg_type,
                     UnsafeRawBufferPointer(start: clinux_cmsg_data(c), count: dataLength))
            }
            cmsg = clinux_cmsg_nxthdr(&msg, c)
        }
    }

    private func parseIPv4(_ buffers: ReceiveBuffers, _ i: Int) -> InboundPacket? {
        let flags = buffers.headers[i].msg_hdr.msg_flags
        if flags & clinux_MSG_CTRUNC != 0 { return nil }
        let truncated = flags & clinux_MSG_TRUNC != 0
        // The kernel hands raw IPv4 sockets the whole datagram, header included.
        guard let datagram = IPv4Datagram(parsing: buffers.datagram(i), truncated: truncated, payload: buffers.payload) else { return nil }
        var stamp: WallClockTime?
        var drops: UInt32?
        walkControlMessages(buffers, i) { level, type, data in
            if let t = Self.timestamp(level, type, data) {
                stamp = t
            } else if let n = Self.receiveQueueDrops(level, type, data) {
                drops = n
            }
        }
        return InboundPacket(interface: configuration.interface, packet: ReceivedPacket(datagram),
                             receivedAt: stamp, isTruncated: truncated, receiveQueueDrops: drops)
    }

    private func parseIPv6(_ buffers: ReceiveBuffers, _ i: Int) -> InboundPacket? {
        let flags = buffers.headers[i].msg_hdr.msg_flags
        if flags & clinux_MSG_CTRUNC != 0 { return nil }
        var hopLimit: Int32?
        var destination: IPv6Address?
        var stamp: WallClockTime?
        var drops: UInt32?
        walkControlMessages(buffers, i) { level, type, data in
            if let t = Self.timestamp(level, type, data) { stamp = t }
            if let n = Self.receiveQueueDrops(level, type, data) { drops = n }
            guard level == Int32(IPPROTO_IPV6) else { return }
            if type == clinux_IPV6_HOPLIMIT, data.count >= 4 {
                hopLimit = data.loadUnaligned(as: Int32.self)
            } else if type == clinux_IPV6_PKTINFO, data.count >= MemoryLayout<clinux_in6_pktinfo>.size {
                destination = SocketAddress.ipv6(data.loadUnaligned(as: clinux_in6_pktinfo.self).ipi6_addr)
            }
        }
        // Without the hop limit the RFC 5798 §7.1 check cannot be made: drop, never guess.
        guard let hopLimit, let destination, (0...255).contains(hopLimit) else { return nil }
        return InboundPacket(
            interface: configuration.interface,
            packet: ReceivedPacket(payload: buffers.payload(buffers.datagram(i)), source: .v6(SocketAddress.ipv6(buffers.names[i].sin6_addr)),
                                   destination: .v6(destination), ttlOrHopLimit: UInt8(hopLimit)),
            receivedAt: stamp, isTruncated: flags & clinux_MSG_TRUNC != 0, receiveQueueDrops: drops)
    }

    /// The `SO_RXQ_OVFL` control message's drop count, if this is one.
    private static func receiveQueueDrops(_ level: Int32, _ type: Int32, _ data: UnsafeRawBufferPointer) -> UInt32? {
        guard level == SOL_SOCKET, type == clinux_SO_RXQ_OVFL, data.count >= 4 else { return nil }
        return data.loadUnaligned(as: UInt32.self)
    }

    /// The `SCM_TIMESTAMPNS` control message's receive time, if this is one.
    private static func timestamp(_ level: Int32, _ type: Int32, _ data: UnsafeRawBufferPointer) -> WallClockTime? {
        guard level == SOL_SOCKET, type == clinux_SCM_TIMESTAMPNS, data.count >= MemoryLayout<timespec>.size else { return nil }
        let t = data.loadUnaligned(as: timespec.self)
        return WallClockTime(nanosecondsSinceEpoch: Int64(t.tv_sec) * 1_000_000_000 + Int64(t.tv_nsec))
    }
}
