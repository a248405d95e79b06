import CLinuxShim
import Glibc

/// A blocking HTTP/1.0 GET with an overall deadline (connecting, sending and
/// reading together; a host name is resolved first, by the system resolver) and
/// a cap on the response size: whatever
/// answers on the address — a daemon, a stuck process, something that streams
/// forever — the caller gets a body or a `Failure` naming the URL within the
/// deadline, holding at most `maxResponseBytes`.
public enum BoundedHTTPGet {
    /// The GET failed: with the URL and what went wrong.
    public struct Failure: Error, CustomStringConvertible, Sendable {
        /// `http://HOST:PORT/PATH`.
        public var url: String
        public var reason: String
        public var description: String { "GET \(url): \(reason)" }
    }

    /// What `ipfailover status` and the lab allow a response by default: a `/status`
    /// of 255 instances is a few hundred kilobytes.
    public static let defaultMaxResponseBytes = 16 << 20

    /// GETs `path` from `host`:`port` (a numeric address or a name); returns the
    /// body of a 200 answer. Anything else — no connection, the deadline passed,
    /// more than `maxResponseBytes`, not a 200 — throws a `Failure`.
    public static func get(host: String, port: Int, path: String, deadline: Duration = .seconds(5),
                           maxResponseBytes: Int = defaultMaxResponseBytes) throws(Failure) -> [UInt8] {
        let shownHost = host.contains(":") ? "[\(host)]" : host
        let url = "http://\(shownHost):\(port)\(path)"
        func fail(_ reason: String) -> Failure { Failure(url: url, reason: reason) }
        let end = ContinuousClock.now + deadline

        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_NUMERICSERV
        var result: UnsafeMutablePointer<addrinfo>?
        let resolved = getaddrinfo(host, String(port), &hints, &result)
        guard resolved == 0, let info = result else {
            throw fail("cannot resolve '\(host)': \(String(cString: gai_strerror(resolved)))")
        }
        defer { freeaddrinfo(result) }
        let fd = socket(info.pointee.ai_family,
                        info.pointee.ai_socktype | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue),
                        info.pointee.ai_protocol)
        guard fd >= 0 else { throw fail("socket: \(String(cString: strerror(errno)))") }
        defer { close(fd) }

        if connect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) != 0 {
            guard errno == EINPROGRESS else { throw fail("connect: \(String(cString: strerror(errno)))") }
            guard wait(fd, for: Int16(POLLOUT), until: end) else { throw fail("no connection within \(deadline)") }
            var error: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length)
            guard error == 0 else { throw fail("connect: \(String(cString: strerror(error)))") }
        }

        let request = Array("GET \(path) HTTP/1.0\r\nHost: \(shownHost)\r\nConnection: close\r\n\r\n".utf8)
        var sent = 0
        while sent < request.count {
            guard wait(fd, for: Int16(POLLOUT), until: end) else { throw fail("request not sent within \(deadline)") }
            let n = request[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n < 0, errno == EINTR || errno == EAGAIN { continue }
            guard n > 0 else { throw fail("send: \(String(cString: strerror(errno)))") }
            sent += n
        }

        var response: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16384)
        while true {
            guard wait(fd, for: Int16(POLLIN), until: end) else {
                throw fail("no complete answer within \(deadline) (\(response.count) bytes received)")
            }
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0, errno == EINTR || errno == EAGAIN { continue }
            guard n >= 0 else { throw fail("recv: \(String(cString: strerror(errno)))") }
            if n == 0 { break }
            guard response.count + n <= maxResponseBytes else {
                throw fail("answer larger than \(maxResponseBytes) bytes")
            }
            response += chunk[0..<n]
        }

        let separator: [UInt8] = [13, 10, 13, 10]
        guard let split = response.firstRange(of: separator) else {
            throw fail(response.isEmpty ? "connection closed without an answer" : "not an HTTP answer")
        }
        let statusLine = String(decoding: response[..<split.lowerBound], as: UTF8.self).prefix { $0 != "\r" }
        guard statusLine.hasPrefix("HTTP/1."), statusLine.split(separator: " ").dropFirst().first == "200" else {
            throw fail("answered '\(statusLine.prefix(200))'")
        }
        return Array(response[split.upperBound...])
    }

    /// Polls `fd` for `events` until `end`; false when the deadline passed first.
    private static func wait(_ fd: Int32, for events: Int16, until end: ContinuousClock.Instant) -> Bool {
        while true {
            let remaining = end - ContinuousClock.now
            guard remaining > .zero else { return false }
            let (seconds, attoseconds) = remaining.components
            let milliseconds = Int32(clamping: seconds * 1000 + attoseconds / 1_000_000_000_000_000 + 1)
            var descriptor = pollfd(fd: fd, events: events, revents: 0)
            let ready = poll(&descriptor, 1, milliseconds)
            if ready > 0 { return true }
            if ready < 0, errno != EINTR { return true }  // the following call reports the error
        }
    }
}
