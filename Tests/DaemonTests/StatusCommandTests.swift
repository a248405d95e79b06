import FailoverLab
import Glibc
import LinuxNetworking
import Synchronization
import Testing

/// `ipfailover status` against something on the status port that is not a
/// healthy daemon: it gives up within its deadline, holding a bounded amount of
/// memory, and names the address it tried.
@Suite(.serialized, .enabled(if: LabRequirements.shouldRun(["ip"]), "needs root and iproute2"))
struct StatusCommandTests {
    static let port: UInt16 = 63000

    @Test("A listener that streams an endless body: status stops at its size cap and exits 1 naming the address")
    func endlessBodyIsCutAtTheSizeCap() async throws {
        try LabRequirements.require(["ip", "prlimit"])
        try await Lab.with(nodes: ["a"]) { lab in
            let a = lab.node("a")
            let server = try await MisbehavingServer.start(in: a.namespace, port: Self.port, endlessBody: true)
            defer { server.stop() }
            // Under a 256 MiB data limit: a client without a cap runs into it and
            // crashes instead of exiting 1 with the reason.
            let (status, stderr) = try await Self.runStatus(lab, in: a.namespace, timeout: "30")
            #expect(status == 1, "\(stderr)")
            #expect(stderr.contains("http://127.0.0.1:\(Self.port)/status"), "\(stderr)")
            #expect(stderr.contains("larger than"), "\(stderr)")
            print("status against an endless body: exit \(status): \(stderr)")
        }
    }

    @Test("A listener that never answers: status gives up at its deadline and exits 1 naming the address")
    func silentListenerHitsTheDeadline() async throws {
        try LabRequirements.require(["ip", "prlimit"])
        try await Lab.with(nodes: ["a"]) { lab in
            let a = lab.node("a")
            let server = try await MisbehavingServer.start(in: a.namespace, port: Self.port, endlessBody: false)
            defer { server.stop() }
            let start = ContinuousClock.now
            let (status, stderr) = try await Self.runStatus(lab, in: a.namespace, timeout: "1")
            let took = ContinuousClock.now - start
            #expect(status == 1, "\(stderr)")
            #expect(stderr.contains("http://127.0.0.1:\(Self.port)/status"), "\(stderr)")
            #expect(stderr.contains("within"), "\(stderr)")
            #expect(took < .seconds(20), "took \(took)")
            print("status against a silent listener: exit \(status) after \(took): \(stderr)")
        }
    }

    /// Runs `ipfailover status --timeout T` in `namespace` with a 256 MiB data
    /// limit (the binary needs a few tens); returns its exit status and stderr.
    static func runStatus(_ lab: Lab, in namespace: String, timeout: String) async throws -> (Int32, String) {
        let process = try lab.spawn(in: namespace, [
            "prlimit", "--data=268435456", "--",
            DaemonHarness.binary, "status", "--status-address", "127.0.0.1:\(port)", "--timeout", timeout,
        ], logName: "status-client")
        let deadline = ContinuousClock.now + .seconds(60)
        while process.exitStatusIfEnded == nil, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        var status = process.exitStatusIfEnded
        if status == nil { status = await process.stop(signal: SIGKILL) }
        return (status ?? -1, process.standardError)
    }
}

/// A TCP listener on the status port that is not a daemon: it either never
/// accepts (the kernel completes the handshake; nothing ever answers) or answers
/// every connection with a 200 and a body that never ends.
final class MisbehavingServer: Sendable {
    private let socket: Int32
    private let stopping = Atomic<Bool>(false)
    private let thread: Mutex<Task<Void, any Error>?> = Mutex(nil)

    private init(socket: Int32) { self.socket = socket }

    static func start(in namespace: String, port: UInt16, endlessBody: Bool) async throws -> MisbehavingServer {
        let fd = try await NetworkNamespace.run(named: namespace) { () throws -> Int32 in
            let fd = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            var one: Int32 = 1
            setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
            var (storage, length) = SocketAddress.storage(.v4(.init(127, 0, 0, 1)), port: port)
            let bound = withUnsafePointer(to: &storage) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
            guard fd >= 0, bound == 0, listen(fd, 16) == 0 else {
                throw LinuxNetworkingError.systemCall(name: "bind/listen", errno: errno, context: "127.0.0.1:\(port)")
            }
            return fd
        }
        let server = MisbehavingServer(socket: fd)
        if endlessBody {
            server.thread.withLock { $0 = Task { try await DedicatedThread.run { server.streamForever() } } }
        }
        return server
    }

    /// Accepts one connection at a time and sends it a 200 and then body bytes
    /// until the client goes away or `stop()`.
    private func streamForever() {
        let chunk = [UInt8](repeating: UInt8(ascii: "z"), count: 65536)
        while !stopping.load(ordering: .relaxed) {
            var descriptor = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
            guard poll(&descriptor, 1, 100) == 1 else { continue }
            let connection = accept(socket, nil, nil)
            guard connection >= 0 else { continue }
            _ = "HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n".withCString { send(connection, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
            while !stopping.load(ordering: .relaxed),
                  chunk.withUnsafeBytes({ send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }) > 0 {}
            close(connection)
        }
    }

    func stop() {
        stopping.store(true, ordering: .relaxed)
        shutdown(socket, Int32(SHUT_RDWR))
        close(socket)
    }
}
