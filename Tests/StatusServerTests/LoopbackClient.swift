import Glibc
import NIOPosix

/// A blocking TCP client on 127.0.0.1 for driving the status server byte by byte;
/// every receive waits at most `receiveTimeout`, so a server that never answers
/// fails the test instead of hanging it. Run its calls through `blocking` (NIO's
/// thread pool), never on the test's own executor.
final class LoopbackClient: @unchecked Sendable {
    let fd: Int32

    init(port: Int, receiveTimeout: Duration = .seconds(10)) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw ClientError(what: "socket", code: errno) }
        let (seconds, attoseconds) = receiveTimeout.components
        var tv = timeval(tv_sec: Int(seconds), tv_usec: Int(attoseconds / 1_000_000_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else {
            let code = errno
            close(fd)
            throw ClientError(what: "connect", code: code)
        }
    }

    deinit { close(fd) }

    struct ClientError: Error, CustomStringConvertible {
        var what: String
        var code: Int32
        var description: String { "\(what): \(String(cString: strerror(code)))" }
    }

    /// Sends all of `text`; false when the server has closed the connection.
    @discardableResult
    func send(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n < 0, errno == EINTR { continue }
            if n <= 0 { return false }
            sent += n
        }
        return true
    }

    /// Sends without blocking as much of `text` as the kernel takes; returns the count.
    func sendWithoutBlocking(_ bytes: [UInt8]) -> Int {
        bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT)) }
    }

    func shutdownSending() { shutdown(fd, Int32(SHUT_WR)) }

    /// How the connection ended for `readToEnd`.
    enum End: Equatable { case closed, reset, timedOut }

    /// Reads until the server closes (or the receive timeout passes).
    func readToEnd() -> (bytes: String, end: End) {
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n < 0, errno == EINTR { continue }
            if n < 0 { return (String(decoding: out, as: UTF8.self), errno == EAGAIN ? .timedOut : .reset) }
            if n == 0 { return (String(decoding: out, as: UTF8.self), .closed) }
            out += buffer[0..<n]
        }
    }
}

/// Runs blocking socket code off the cooperative thread pool, which the server's
/// responses need.
func blocking<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await NIOThreadPool.singleton.runIfActive(body)
}
