import Dispatch
import Glibc
import NIOCore
import NIOPosix
import StatusServer

/// The status server as the daemon starts it (same bootstrap, pipeline and handlers),
/// on 127.0.0.1 with timeouts short enough for a fuzzer and 1 KiB header and body
/// limits, so that inputs of a few KiB cross them: each input is one connection's
/// bytes, sent, half-closed, and answered or cut off.
enum StatusServerTarget {
    struct FixedSource: StatusSource {
        func isHealthy() async -> Bool { true }
        func statusJSON() async -> [UInt8] { Array(#"{"instances":[]}"#.utf8) }
        func metricsText() async -> [UInt8] { Array("ipfailover_up 1\n".utf8) }
    }

    /// The server's port, started on first use.
    nonisolated(unsafe) static var port: UInt16 = 0

    /// Where answers are read into and dropped: allocated once, because a fresh
    /// 64 KiB buffer per input costs AddressSanitizer an allocation, a fill and a
    /// poisoning each time, more than the server's own work on a short request.
    nonisolated(unsafe) static var answer = [UInt8](repeating: 0, count: 65536)

    static func start() -> UInt16 {
        if port != 0 { return port }
        let started = DispatchSemaphore(value: 0)
        let limits = StatusServerLimits(maxConnections: 64, idleTimeout: .milliseconds(100),
                                        headerTimeout: .milliseconds(100), bodyTimeout: .milliseconds(100),
                                        writeTimeout: .milliseconds(100), maxHeaderBytes: 1024, maxBodyBytes: 1024)
        nonisolated(unsafe) var bound: UInt16 = 0
        Task.detached {
            let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
            let server = try! await StatusHTTPServer.start(host: "127.0.0.1", port: 0, source: FixedSource(),
                                                          group: group, limits: limits)
            bound = UInt16(server.port)
            started.signal()
        }
        started.wait()
        port = bound
        return port
    }

    static func run(_ bytes: [UInt8]) {
        let port = start()
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        var connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        // libFuzzer's once-a-second timer interrupts system calls: an interrupted
        // connect goes on in the background, and its outcome is the socket's error.
        if connected != 0, errno == EINTR {
            var ready = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
            while poll(&ready, 1, 5_000) < 0, errno == EINTR {}
            var error: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length)
            connected = error == 0 ? 0 : -1
            errno = error
        }
        // The listener is always there: a refused connection is the harness failing
        // (for example ephemeral ports exhausted), not an input the server handled.
        guard connected == 0 else { fatalError("harness: connect to 127.0.0.1:\(port) failed, errno \(errno)") }
        var timeout = timeval(tv_sec: 0, tv_usec: 500_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        bytes.withUnsafeBytes { raw in
            var sent = 0
            while sent < raw.count {
                let n = send(fd, raw.baseAddress! + sent, raw.count - sent, Int32(MSG_NOSIGNAL))
                if n > 0 { sent += n } else if n < 0, errno == EINTR { continue } else { break }
            }
        }
        shutdown(fd, Int32(SHUT_WR))
        while true {
            let n = answer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n > 0 || (n < 0 && errno == EINTR) { continue }
            break
        }
    }
}
