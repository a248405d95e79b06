import CLinuxShim
import Glibc
import LinuxNetworking
import VRRPWire

/// Plain-syscall UDP/TCP helpers for the lab's responders, probe and status client.
/// Sockets are created by the caller inside a namespace (`NetworkNamespace.run`) and
/// keep that namespace afterwards.
enum LabSocket {
    /// A UDP socket of `family`, non-blocking, close-on-exec; IPv6 sockets are v6-only.
    static func udp(ipv6: Bool) throws -> Int32 {
        let fd = socket(ipv6 ? AF_INET6 : AF_INET, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw LinuxNetworkingError.systemCall(name: "socket", errno: errno, context: "udp") }
        if ipv6 {
            var on: Int32 = 1
            setsockopt(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, &on, socklen_t(MemoryLayout<Int32>.size))
        }
        return fd
    }

    /// Binds `fd` to the wildcard address of its family on `port`.
    static func bindWildcard(_ fd: Int32, ipv6: Bool, port: UInt16) throws {
        var on: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, socklen_t(MemoryLayout<Int32>.size))
        let rc: Int32
        if ipv6 {
            var a = sockaddr_in6()
            a.sin6_family = sa_family_t(AF_INET6)
            a.sin6_port = port.bigEndian
            rc = withUnsafePointer(to: &a) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) } }
        } else {
            var a = sockaddr_in()
            a.sin_family = sa_family_t(AF_INET)
            a.sin_port = port.bigEndian
            rc = withUnsafePointer(to: &a) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        }
        guard rc == 0 else { throw LinuxNetworkingError.systemCall(name: "bind", errno: errno, context: "port \(port)") }
    }

    /// Sends `bytes` to `address`:`port` on `fd`; false when the kernel refused.
    @discardableResult
    static func send(_ fd: Int32, _ bytes: [UInt8], to address: IPAddress, port: UInt16) -> Bool {
        var (storage, length) = SocketAddress.storage(address, port: port)
        let n = bytes.withUnsafeBytes { buffer in
            withUnsafePointer(to: &storage) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                sendto(fd, buffer.baseAddress, buffer.count, Int32(MSG_DONTWAIT), $0, length) } }
        }
        return n == bytes.count
    }

    /// Waits until one of `fds` is readable or `timeout` passes.
    static func waitReadable(_ fds: [Int32], timeout: Duration) {
        var polls = fds.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
        let (seconds, attoseconds) = timeout.components
        let milliseconds = max(0, seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000)
        _ = poll(&polls, nfds_t(polls.count), Int32(min(milliseconds, 60_000)))
    }
}
