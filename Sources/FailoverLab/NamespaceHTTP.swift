import CLinuxShim
import Glibc
import LinuxNetworking

/// A minimal HTTP/1.0 GET from inside a namespace: a daemon's status endpoint on
/// 127.0.0.1 in its node's namespace is reachable only from there.
public enum NamespaceHTTP {
    /// A GET failed: no connection, timeout, or not a 200.
    public struct Failure: Error, CustomStringConvertible {
        public var url: String
        public var reason: String
        public var description: String { "GET \(url): \(reason)" }
    }

    /// GETs `path` from 127.0.0.1:`port` in `namespace`; returns the body of a 200.
    public static func get(namespace: String, port: UInt16, path: String,
                           timeout: Duration = .seconds(2)) async throws -> [UInt8] {
        let url = "http://127.0.0.1:\(port)\(path) in \(namespace)"
        return try await NetworkNamespace.run(named: namespace) { () throws -> [UInt8] in
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard fd >= 0 else { throw Failure(url: url, reason: "socket: errno \(errno)") }
            defer { close(fd) }
            let (seconds, attoseconds) = timeout.components
            var tv = timeval(tv_sec: Int(seconds), tv_usec: Int(attoseconds / 1_000_000_000_000))
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
            setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
            var (storage, length) = SocketAddress.storage(.v4(.init(127, 0, 0, 1)), port: port)
            let rc = withUnsafePointer(to: &storage) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, length) } }
            guard rc == 0 else { throw Failure(url: url, reason: "connect: errno \(errno)") }
            let request = Array("GET \(path) HTTP/1.0\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".utf8)
            guard request.withUnsafeBytes({ Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }) == request.count else {
                throw Failure(url: url, reason: "send: errno \(errno)")
            }
            var response: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 16384)
            while true {
                let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                if n < 0, errno == EINTR { continue }
                if n < 0 { throw Failure(url: url, reason: "recv: errno \(errno)") }
                if n == 0 { break }
                response += chunk[0..<n]
            }
            let separator: [UInt8] = [13, 10, 13, 10]
            guard let split = response.firstRange(of: separator) else { throw Failure(url: url, reason: "no HTTP header end") }
            let head = String(decoding: response[..<split.lowerBound], as: UTF8.self)
            guard head.split(separator: " ").dropFirst().first == "200" else {
                throw Failure(url: url, reason: String(head.prefix(while: { $0 != "\r" })))
            }
            return Array(response[split.upperBound...])
        }
    }
}
