import CLinuxShim
import Glibc
import LinuxNetworking
import Synchronization

/// A node's application in the lab: answers every UDP datagram sent to any of its
/// addresses (VIPs included) on `port` with the datagram followed by a space and the
/// node's name, so the client's `VIPProbe` can tell which node holds a VIP. Its
/// sockets (IPv4 and IPv6, bound to the wildcard address) live in the node's
/// namespace; it runs on its own thread until `stop()`.
///
/// Every answer leaves from the address the datagram was sent to (the request's
/// `IP_PKTINFO`/`IPV6_PKTINFO` handed back to `sendmsg`), as a real service on a VIP
/// answers: a client with a connected socket drops anything else. Left to choose, the
/// kernel would also score every address of the interface for each answer: with
/// 1,000 VIPs on the node that made the responder the slowest part of the lab.
public final class UDPResponder: Sendable {
    /// The name it answers with.
    public let name: String
    /// The UDP port it listens on.
    public let port: UInt16
    private let sockets: [Int32]
    private let stopping = Atomic<Bool>(false)
    private let loop = Mutex<Task<Void, Never>?>(nil)
    /// Datagrams answered so far.
    public var answered: Int { count.load(ordering: .relaxed) }
    private let count = Atomic<Int>(0)

    private init(name: String, port: UInt16, sockets: [Int32]) {
        self.name = name
        self.port = port
        self.sockets = sockets
    }

    /// Opens the sockets inside `namespace` and starts answering.
    public static func start(in namespace: String, name: String, port: UInt16) async throws -> UDPResponder {
        let sockets = try await NetworkNamespace.run(named: namespace) { () throws -> [Int32] in
            let v4 = try LabSocket.udp(ipv6: false)
            let v6: Int32
            do {
                try LabSocket.bindWildcard(v4, ipv6: false, port: port)
                try setIntOption(v4, Int32(IPPROTO_IP), IP_PKTINFO, 1, "IP_PKTINFO")
                v6 = try LabSocket.udp(ipv6: true)
            } catch { close(v4); throw error }
            do {
                try LabSocket.bindWildcard(v6, ipv6: true, port: port)
                try setIntOption(v6, Int32(IPPROTO_IPV6), clinux_IPV6_RECVPKTINFO, 1, "IPV6_RECVPKTINFO")
            } catch { close(v4); close(v6); throw error }
            return [v4, v6]
        }
        let responder = UDPResponder(name: name, port: port, sockets: sockets)
        responder.loop.withLock { $0 = Task { try? await DedicatedThread.run { responder.serve() } } }
        return responder
    }

    private func serve() {
        let suffix = Array(" \(name)".utf8)
        var buffer = [UInt8](repeating: 0, count: 512)
        var control = [UInt8](repeating: 0, count: 128)
        while !stopping.load(ordering: .relaxed) {
            LabSocket.waitReadable(sockets, timeout: .milliseconds(50))
            for fd in sockets {
                while true {
                    var peer = sockaddr_storage()
                    guard let (n, peerLength, controlLength) = receive(fd, into: &buffer, limit: buffer.count - suffix.count,
                                                                      peer: &peer, control: &control) else { break }
                    var reply = Array(buffer[0..<n]) + suffix
                    Self.answerFromDestination(&control, length: controlLength)
                    _ = reply.withUnsafeMutableBytes { data in
                        control.withUnsafeMutableBytes { controlRaw in
                            withUnsafeMutablePointer(to: &peer) { name in
                                withMessageHeader(data: data, name: UnsafeMutableRawPointer(name), nameLength: peerLength,
                                                      control: UnsafeMutableRawBufferPointer(rebasing: controlRaw[0..<controlLength])) {
                                    sendmsg(fd, &$0, Int32(MSG_DONTWAIT))
                                }
                            }
                        }
                    }
                    count.add(1, ordering: .relaxed)
                }
            }
        }
    }

    /// One datagram with its sender and control messages; nil when none is waiting.
    private func receive(_ fd: Int32, into buffer: inout [UInt8], limit: Int, peer: inout sockaddr_storage,
                         control: inout [UInt8]) -> (bytes: Int, peerLength: Int, controlLength: Int)? {
        buffer.withUnsafeMutableBytes { data in
            control.withUnsafeMutableBytes { controlRaw in
                withUnsafeMutablePointer(to: &peer) { name in
                    withMessageHeader(data: UnsafeMutableRawBufferPointer(rebasing: data[0..<limit]), name: UnsafeMutableRawPointer(name),
                                          nameLength: MemoryLayout<sockaddr_storage>.size, control: controlRaw) { msg in
                        let n = recvmsg(fd, &msg, Int32(MSG_DONTWAIT))
                        guard n > 0 else { return nil }
                        return (n, Int(msg.msg_namelen), Int(msg.msg_controllen))
                    }
                }
            }
        }
    }

    /// Turns the request's packet-info message into the answer's: source = the
    /// address the request was sent to. IPv6's `in6_pktinfo` already says that; IPv4's
    /// `ipi_spec_dst` is set to the header's destination and the interface left to
    /// the route.
    private static func answerFromDestination(_ control: inout [UInt8], length: Int) {
        control.withUnsafeMutableBytes { raw in
            var msg = msghdr()
            msg.msg_control = raw.baseAddress
            msg.msg_controllen = length
            var cmsg = clinux_cmsg_firsthdr(&msg)
            while let c = cmsg {
                if c.pointee.cmsg_level == Int32(IPPROTO_IP), c.pointee.cmsg_type == IP_PKTINFO {
                    let data = UnsafeMutableRawPointer(clinux_cmsg_data(c)!)
                    var info = data.loadUnaligned(as: in_pktinfo.self)
                    info.ipi_spec_dst = info.ipi_addr
                    info.ipi_ifindex = 0
                    data.storeBytes(of: info, as: in_pktinfo.self)
                }
                cmsg = clinux_cmsg_nxthdr(&msg, c)
            }
        }
    }

    /// Stops answering, waits for the thread to end and closes the sockets. Idempotent.
    public func stop() async {
        guard !stopping.exchange(true, ordering: .relaxed) else { return }
        let task = loop.withLock { $0 }
        await task?.value
        for fd in sockets { close(fd) }
    }
}
