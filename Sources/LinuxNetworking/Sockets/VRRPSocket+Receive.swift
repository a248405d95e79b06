import CLinuxShim
import FailoverRuntime
import Glibc
import VRRPWire

/// The receive buffers, touched only on `ReadSource.queue`.
final class ReceiveBuffer: @unchecked Sendable {
    // Safe: used exclusively from the serial ReadSource queue.
    var data = [UInt8](repeating: 0, count: 4096)
    var control = [UInt8](repeating: 0, count: 256)
    var name = sockaddr_in6()
}

extension VRRPSocket {
    /// Registers a subscriber. Several instances (VRIDs) can share the socket.
    public func subscribe(_ filter: VRRPReceiveFilter = VRRPReceiveFilter(),
                          bufferingNewest limit: Int = 64) -> VRRPSubscription {
        let (stream, continuation) = AsyncStream.makeStream(of: ReceivedVRRPPacket.self,
                                                            bufferingPolicy: .bufferingNewest(limit))
        let id: UInt64? = state.withLock { s in
            guard !s.closed else { return nil }
            s.nextID += 1
            s.subscribers[s.nextID] = Subscriber(filter: filter, sink: .single(continuation))
            return s.nextID
        }
        guard let id else {
            continuation.finish()
            return VRRPSubscription(packets: stream, id: 0, socket: self)
        }
        continuation.onTermination = { [weak self] _ in self?.removeSubscriber(id) }
        return VRRPSubscription(packets: stream, id: id, socket: self)
    }

    /// Registers `handler`, called on the socket's read queue with the packets of
    /// each drain that pass `filter` — no task hop between the socket and the
    /// consumer. Returns the subscription id for `unsubscribe`, or nil when closed.
    @discardableResult
    public func subscribe(_ filter: VRRPReceiveFilter = VRRPReceiveFilter(),
                          handler: @escaping @Sendable ([ReceivedVRRPPacket]) -> Void) -> UInt64? {
        state.withLock { s in
            guard !s.closed else { return nil }
            s.nextID += 1
            s.subscribers[s.nextID] = Subscriber(filter: filter, sink: .handler(handler))
            return s.nextID
        }
    }

    /// The most packets one drain hands over in one batch.
    static var maximumBatch: Int { 64 }

    func unsubscribe(_ id: UInt64) {
        let removed = state.withLock { $0.subscribers.removeValue(forKey: id) }
        removed?.sink.finish()
    }

    private func removeSubscriber(_ id: UInt64) {
        _ = state.withLock { $0.subscribers.removeValue(forKey: id) }
    }

    /// Reads until EAGAIN, then fans each packet out. Runs on the read queue.
    func drain(_ buffer: ReceiveBuffer) {
        var batch: [ReceivedVRRPPacket] = []
        while true {
            let outcome: ReadOutcome = switch configuration.family {
            case .ipv4: readIPv4(buffer)
            case .ipv6: readIPv6(buffer)
            }
            switch outcome {
            case .wouldBlock:
                if !batch.isEmpty { dispatch(batch) }
                return
            case .malformed:
                state.withLock { $0.statistics.received += 1; $0.statistics.malformed += 1 }
            case .packet(let packet):
                if packet.isTruncated || packet.receiveQueueDrops != nil {
                    state.withLock { s in
                        if packet.isTruncated { s.statistics.oversized += 1 }
                        if let drops = packet.receiveQueueDrops { s.statistics.receiveQueueDrops = drops }
                    }
                }
                batch.append(packet)
                if batch.count >= Self.maximumBatch {
                    dispatch(batch)
                    batch.removeAll(keepingCapacity: true)
                }
            }
        }
    }

    enum ReadOutcome { case wouldBlock, malformed, packet(ReceivedVRRPPacket) }

    private func dispatch(_ packets: [ReceivedVRRPPacket]) {
        let handlers = state.withLock { s -> [(@Sendable ([ReceivedVRRPPacket]) -> Void, [ReceivedVRRPPacket])] in
            var batches: [UInt64: [ReceivedVRRPPacket]] = [:]
            for packet in packets {
                s.statistics.received += 1
                var delivered = false, rejected = false
                for (id, sub) in s.subscribers {
                    switch sub.filter.classify(packet) {
                    case .otherRouter: continue
                    case .rejectedNonPeer:
                        s.subscribers[id]!.rejectedNonPeer += 1
                        rejected = true
                    case .deliver:
                        s.subscribers[id]!.delivered += 1
                        switch sub.sink {
                        case .single(let continuation): continuation.yield(packet)
                        case .handler: batches[id, default: []].append(packet)
                        }
                        delivered = true
                    }
                }
                if delivered { s.statistics.delivered += 1 }
                if rejected { s.statistics.rejectedNonPeer += 1 }
            }
            var handlers: [(@Sendable ([ReceivedVRRPPacket]) -> Void, [ReceivedVRRPPacket])] = []
            for (id, batch) in batches {
                if case .handler(let handler)? = s.subscribers[id]?.sink { handlers.append((handler, batch)) }
            }
            return handlers
        }
        for (handler, batch) in handlers { handler(batch) }
    }

    /// recvmsg into `buffer`; returns the byte count, flags, or nil on EAGAIN.
    private func receive(_ buffer: ReceiveBuffer) -> (count: Int, flags: Int32, controlLength: Int)? {
        buffer.data.withUnsafeMutableBytes { data in
            buffer.control.withUnsafeMutableBytes { control in
                withUnsafeMutablePointer(to: &buffer.name) { name in
                    withMessageHeader(data: data, name: UnsafeMutableRawPointer(name),
                                      nameLength: MemoryLayout<sockaddr_in6>.size, control: control) { msg in
                        while true {
                            let n = recvmsg(descriptor, &msg, clinux_MSG_DONTWAIT)
                            if n >= 0 { return (n, msg.msg_flags, Int(msg.msg_controllen)) }
                            if errno == EINTR { continue }
                            return nil
                        }
                    }
                }
            }
        }
    }

    /// Walks the control messages, calling `body(level, type, data)` for each.
    private func walkControlMessages(_ buffer: ReceiveBuffer, length: Int,
                                     _ body: (Int32, Int32, UnsafeRawBufferPointer) -> Void) {
        buffer.control.withUnsafeMutableBytes { control in
            var msg = msghdr()
            msg.msg_control = control.baseAddress
            msg.msg_controllen = length
            var cmsg = clinux_cmsg_firsthdr(&msg)
            while let c = cmsg {
                let headerLength = clinux_cmsg_len(0)
                let dataLength = Int(c.pointee.cmsg_len) - headerLength
                if dataLength >= 0 {
                    body(c.pointee.cmsg_level, c.pointee.cmsg_type,
                         UnsafeRawBufferPointer(start: clinux_cmsg_data(c), count: dataLength))
                }
                cmsg = clinux_cmsg_nxthdr(&msg, c)
            }
        }
    }

    private func readIPv4(_ buffer: ReceiveBuffer) -> ReadOutcome {
        guard let (count, flags, controlLength) = receive(buffer) else { return .wouldBlock }
        if flags & clinux_MSG_CTRUNC != 0 { return .malformed }
        // Longer than the buffer: delivered cut, flagged, so the oversized advert is counted.
        let truncated = flags & clinux_MSG_TRUNC != 0
        let d = buffer.data
        // The kernel hands raw IPv4 sockets the whole datagram, header included.
        guard count >= 20, d[0] >> 4 == 4 else { return .malformed }
        let headerLength = Int(d[0] & 0x0F) * 4
        let totalLength = min(Int(d[2]) << 8 | Int(d[3]), count)
        guard headerLength >= 20, totalLength >= headerLength else { return .malformed }
        var index = interfaceIndex
        var stamp: WallClockTime?
        var drops: UInt32?
        walkControlMessages(buffer, length: controlLength) { level, type, data in
            if level == Int32(IPPROTO_IP), type == IP_PKTINFO, data.count >= MemoryLayout<in_pktinfo>.size {
                index = data.loadUnaligned(as: in_pktinfo.self).ipi_ifindex
            } else if let t = Self.timestamp(level, type, data) {
                stamp = t
            } else if let n = Self.receiveQueueDrops(level, type, data) {
                drops = n
            }
        }
        return .packet(ReceivedVRRPPacket(
            payload: Array(d[headerLength..<totalLength]),
            source: .v4(IPv4Address(bytes: d[12..<16])!),
            destination: .v4(IPv4Address(bytes: d[16..<20])!),
            hopLimit: d[8],
            interfaceIndex: index,
            receivedAt: stamp,
            isTruncated: truncated,
            receiveQueueDrops: drops))
    }

    private func readIPv6(_ buffer: ReceiveBuffer) -> ReadOutcome {
        guard let (count, flags, controlLength) = receive(buffer) else { return .wouldBlock }
        if flags & clinux_MSG_CTRUNC != 0 { return .malformed }
        let truncated = flags & clinux_MSG_TRUNC != 0
        var hopLimit: Int32?
        var destination: IPv6Address?
        var index = interfaceIndex
        var stamp: WallClockTime?
        var drops: UInt32?
        walkControlMessages(buffer, length: controlLength) { level, type, data in
            if let t = Self.timestamp(level, type, data) { stamp = t }
            if let n = Self.receiveQueueDrops(level, type, data) { drops = n }
            guard level == Int32(IPPROTO_IPV6) else { return }
            if type == clinux_IPV6_HOPLIMIT, data.count >= 4 {
                hopLimit = data.loadUnaligned(as: Int32.self)
            } else if type == clinux_IPV6_PKTINFO, data.count >= MemoryLayout<clinux_in6_pktinfo>.size {
                let info = data.loadUnaligned(as: clinux_in6_pktinfo.self)
                destination = SocketAddress.ipv6(info.ipi6_addr)
                index = Int32(info.ipi6_ifindex)
            }
        }
        // Without the hop limit the RFC 5798 §7.1 check cannot be made: drop, never guess.
        guard let hopLimit, let destination, (0...255).contains(hopLimit) else { return .malformed }
        let source = SocketAddress.ipv6(buffer.name.sin6_addr)
        return .packet(ReceivedVRRPPacket(
            payload: Array(buffer.data[0..<count]),
            source: .v6(source),
            destination: .v6(destination),
            hopLimit: UInt8(hopLimit),
            interfaceIndex: index,
            receivedAt: stamp,
            isTruncated: truncated,
            receiveQueueDrops: drops))
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
