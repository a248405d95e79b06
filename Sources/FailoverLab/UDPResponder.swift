import CLinuxShim
import Glibc
import LinuxNetworking
import Synchronization

/// A node's application in the lab: answers every UDP datagram sent to any of its
/// addresses (VIPs included) on `port` with the datagram followed by a space and the
/// node's name, so the client's `VIPProbe` can tell which node holds a VIP. Its
/// sockets (IPv4 and IPv6, bound to the wildcard address) live in the node's
/// namespace; it runs on its own thread until `stop()`.
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
                v6 = try LabSocket.udp(ipv6: true)
            } catch { close(v4); throw error }
            do { try LabSocket.bindWildcard(v6, ipv6: true, port: port) } catch { close(v4); close(v6); throw error }
            return [v4, v6]
        }
        let responder = UDPResponder(name: name, port: port, sockets: sockets)
        responder.loop.withLock { $0 = Task { try? await DedicatedThread.run { responder.serve() } } }
        return responder
    }

    private func serve() {
        let suffix = Array(" \(name)".utf8)
        var buffer = [UInt8](repeating: 0, count: 512)
        while !stopping.load(ordering: .relaxed) {
            LabSocket.waitReadable(sockets, timeout: .milliseconds(50))
            for fd in sockets {
                while true {
                    var peer = sockaddr_storage()
                    var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
                    let n = buffer.withUnsafeMutableBytes { raw in
                        withUnsafeMutablePointer(to: &peer) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                            recvfrom(fd, raw.baseAddress, raw.count - suffix.count, Int32(MSG_DONTWAIT), $0, &length) } }
                    }
                    guard n > 0 else { break }
                    let reply = Array(buffer[0..<n]) + suffix
                    _ = reply.withUnsafeBytes { raw in
                        withUnsafePointer(to: &peer) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                            sendto(fd, raw.baseAddress, raw.count, Int32(MSG_DONTWAIT), $0, length) } }
                    }
                    count.add(1, ordering: .relaxed)
                }
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
