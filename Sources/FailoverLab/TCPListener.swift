import CLinuxShim
import Glibc
import LinuxNetworking
import Synchronization

/// A TCP service on a node for the default env-mode check (a TCP connect to the
/// node's address on OPENSHIFT_HA_MONITOR_PORT): listens on the wildcard address in
/// the node's namespace, accepts and closes every connection until `stop()`, after
/// which connections are refused.
public final class TCPListener: Sendable {
    /// The TCP port.
    public let port: UInt16
    private let socket: Int32
    private let stopping = Atomic<Bool>(false)
    private let loop = Mutex<Task<Void, Never>?>(nil)

    private init(port: UInt16, socket: Int32) {
        self.port = port
        self.socket = socket
    }

    /// Starts listening on `port` inside `namespace`.
    public static func start(in namespace: String, port: UInt16) async throws -> TCPListener {
        let fd = try await NetworkNamespace.run(named: namespace) { () throws -> Int32 in
            let fd = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard fd >= 0 else { throw LinuxNetworkingError.systemCall(name: "socket", errno: errno, context: "tcp") }
            do {
                try LabSocket.bindWildcard(fd, ipv6: false, port: port)
                guard listen(fd, 64) == 0 else { throw LinuxNetworkingError.systemCall(name: "listen", errno: errno, context: "port \(port)") }
            } catch { close(fd); throw error }
            return fd
        }
        let listener = TCPListener(port: port, socket: fd)
        listener.loop.withLock { $0 = Task { try? await DedicatedThread.run { listener.serve() } } }
        return listener
    }

    private func serve() {
        while !stopping.load(ordering: .relaxed) {
            LabSocket.waitReadable([socket], timeout: .milliseconds(50))
            while true {
                let connection = accept(socket, nil, nil)
                guard connection >= 0 else { break }
                close(connection)
            }
        }
    }

    /// Closes the listening socket (connections are refused from now on). Idempotent.
    public func stop() async {
        guard !stopping.exchange(true, ordering: .relaxed) else { return }
        let task = loop.withLock { $0 }
        await task?.value
        close(socket)
    }
}
