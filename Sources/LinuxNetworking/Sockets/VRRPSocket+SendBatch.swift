import CLinuxShim
import Glibc
import Synchronization
import VRRPWire

/// The buffers one `sendmmsg` reads: up to `count` messages whose payloads are
/// packed one after another into `data`. Allocated once per socket that sends (a
/// backup never does) and reused under the socket's lock.
final class SendBuffers: MessageVectorBuffers, @unchecked Sendable {
    // Safe: used only inside `VRRPSocket.sendBuffers.withLock`.
    /// Messages one system call sends at most.
    static let count = 32
    /// Room for the payloads of one call (an advert of 255 IPv6 addresses is 4,088 bytes).
    static let dataSize = 16 * 1024

    /// The caller's index of each message in the buffers.
    var origin = [Int](repeating: 0, count: count)
    /// Messages and payload bytes in the buffers.
    var messages = 0
    var used = 0

    init() {
        super.init(count: Self.count, dataSize: Self.dataSize, controlSize: ControlMessages.capacity)
    }
}

extension VRRPSocket {
    /// One message of `send(batch:)`.
    public struct OutgoingMessage: Sendable {
        public var payload: [UInt8]
        public var destination: IPAddress
        /// nil: the socket's configured source, else the kernel's choice.
        public var source: IPAddress?

        public init(payload: [UInt8], destination: IPAddress, source: IPAddress?) {
            self.payload = payload
            self.destination = destination
            self.source = source
        }
    }

    /// Sends every message of `batch` in order, as `send` would one by one (payloads as
    /// given: the caller computed their checksums), with as
    /// few `sendmmsg` calls as the buffers allow (all adverts due in one tick of a
    /// 255-instance master are one call). Returns the messages that failed, by index
    /// into `batch`; the others were sent.
    public func send(batch: [OutgoingMessage], hopLimit: UInt8 = Advertisement.requiredTTL) -> [(index: Int, error: any Error)] {
        send(batch: batch, hopLimit: hopLimit, flags: 0)
    }

    /// `send(batch:)` with everything but the transmission: `MSG_PROBE` makes the kernel
    /// stop before queuing each packet. Warms the path a takeover's advert takes.
    public func rehearseSend(batch: [OutgoingMessage], hopLimit: UInt8 = Advertisement.requiredTTL) {
        _ = send(batch: batch, hopLimit: hopLimit, flags: clinux_MSG_PROBE)
    }

    private func send(batch: [OutgoingMessage], hopLimit: UInt8, flags: Int32) -> [(index: Int, error: any Error)] {
        var failures: [(index: Int, error: any Error)] = []
        sendBuffers.withLock { lazy in
            let buffers = lazy ?? SendBuffers()
            lazy = buffers
            for (index, message) in batch.enumerated() {
                let source = message.source ?? configuration.sourceAddress
                if message.destination.family != configuration.family {
                    failures.append((index, LinuxNetworkingError.addressFamilyMismatch(expected: configuration.family, got: message.destination)))
                    continue
                }
                if let source, source.family != configuration.family {
                    failures.append((index, LinuxNetworkingError.addressFamilyMismatch(expected: configuration.family, got: source)))
                    continue
                }
                guard message.payload.count <= 1500 else {
                    failures.append((index, LinuxNetworkingError.payloadTooLarge(message.payload.count)))
                    continue
                }
                if buffers.messages == SendBuffers.count || buffers.used + message.payload.count > SendBuffers.dataSize {
                    flush(buffers, batch, flags: flags, &failures)
                }
                stage(message, source: source, hopLimit: hopLimit, index: index, in: buffers)
            }
            flush(buffers, batch, flags: flags, &failures)
        }
        return failures
    }

    /// Writes one message into the buffers' next slot.
    private func stage(_ message: OutgoingMessage, source: IPAddress?, hopLimit: UInt8, index: Int, in buffers: SendBuffers) {
        let slot = buffers.messages
        let payload = buffers.data + buffers.used
        message.payload.withUnsafeBytes { payload.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
        buffers.vectors[slot] = iovec(iov_base: payload, iov_len: message.payload.count)
        let controlBuffer = UnsafeMutableRawBufferPointer(start: buffers.control + slot * ControlMessages.capacity,
                                                          count: ControlMessages.capacity)
        controlBuffer.initializeMemory(as: UInt8.self, repeating: 0)
        var control = ControlMessages(controlBuffer)
        let name = UnsafeMutableRawPointer(buffers.names + slot)
        let nameLength: Int
        switch message.destination {
        case .v4(let dst):
            name.storeBytes(of: SocketAddress.sockaddrIn(dst), as: sockaddr_in.self)
            nameLength = MemoryLayout<sockaddr_in>.size
            var info = in_pktinfo()
            info.ipi_ifindex = interfaceIndex
            if case .v4(let s)? = source { info.ipi_spec_dst = SocketAddress.inAddr(s) }
            control.append(level: Int32(IPPROTO_IP), type: IP_PKTINFO, info)
            control.append(level: Int32(IPPROTO_IP), type: IP_TTL, Int32(hopLimit))
        case .v6(let dst):
            name.storeBytes(of: SocketAddress.sockaddrIn6(dst, scopeID: UInt32(interfaceIndex)), as: sockaddr_in6.self)
            nameLength = MemoryLayout<sockaddr_in6>.size
            var info = clinux_in6_pktinfo()
            info.ipi6_ifindex = UInt32(interfaceIndex)
            if case .v6(let s)? = source { info.ipi6_addr = SocketAddress.in6Addr(s) }
            control.append(level: Int32(IPPROTO_IPV6), type: clinux_IPV6_PKTINFO, info)
            control.append(level: Int32(IPPROTO_IPV6), type: clinux_IPV6_HOPLIMIT, Int32(hopLimit))
        }
        var header = msghdr()
        header.msg_name = name
        header.msg_namelen = socklen_t(nameLength)
        header.msg_iov = buffers.vectors + slot
        header.msg_iovlen = 1
        header.msg_control = UnsafeMutableRawPointer(controlBuffer.baseAddress!)
        header.msg_controllen = control.length
        buffers.headers[slot] = clinux_mmsghdr(msg_hdr: header, msg_len: 0)
        buffers.origin[slot] = index
        buffers.messages += 1
        buffers.used += message.payload.count
    }

    /// Sends what the buffers hold. A message the kernel refuses is a failure and the
    /// rest still go: `sendmmsg` stops at the first error and reports it on its own.
    private func flush(_ buffers: SendBuffers, _ batch: [OutgoingMessage], flags: Int32, _ failures: inout [(index: Int, error: any Error)]) {
        var next = 0
        while next < buffers.messages {
            // After close() the descriptor number may already belong to another socket.
            guard !closed.load(ordering: .acquiring) else {
                for slot in next..<buffers.messages {
                    failures.append((buffers.origin[slot], LinuxNetworkingError.systemCall(name: "sendmmsg", errno: EBADF, context: "socket closed")))
                }
                break
            }
            let sent = clinux_sendmmsg(descriptor, buffers.headers + next, UInt32(buffers.messages - next), flags)
            if sent == -EINTR { continue }
            if sent <= 0 {
                let index = buffers.origin[next]
                failures.append((index, LinuxNetworkingError.systemCall(name: "sendmmsg", errno: sent < 0 ? -sent : EIO,
                                                                        context: "\(batch[index].destination)")))
                next += 1
            } else {
                next += Int(sent)
            }
        }
        buffers.messages = 0
        buffers.used = 0
    }
}
