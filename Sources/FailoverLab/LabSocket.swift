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

    /// Sets an integer socket option to 1.
    static func enable(_ fd: Int32, _ level: Int32, _ option: Int32, _ name: String) throws {
        var on: Int32 = 1
        guard setsockopt(fd, level, option, &on, socklen_t(MemoryLayout<Int32>.size)) == 0 else {
            throw LinuxNetworkingError.systemCall(name: "setsockopt", errno: errno, context: name)
        }
    }

    /// A sockaddr_storage for `address`:`port`, and its length.
    static func storage(_ address: IPAddress, port: UInt16) -> (sockaddr_storage, socklen_t) {
        var storage = sockaddr_storage()
        switch address {
        case .v4(let a):
            withUnsafeMutableBytes(of: &storage) { raw in
                var s = sockaddr_in()
                s.sin_family = sa_family_t(AF_INET)
                s.sin_port = port.bigEndian
                s.sin_addr = in_addr(s_addr: a.value.bigEndian)
                withUnsafeBytes(of: &s) { raw.copyMemory(from: $0) }
            }
            return (storage, socklen_t(MemoryLayout<sockaddr_in>.size))
        case .v6(let a):
            withUnsafeMutableBytes(of: &storage) { raw in
                var s = sockaddr_in6()
                s.sin6_family = sa_family_t(AF_INET6)
                s.sin6_port = port.bigEndian
                withUnsafeMutableBytes(of: &s.sin6_addr) { for (i, b) in a.bytes.enumerated() { $0[i] = b } }
                withUnsafeBytes(of: &s) { raw.copyMemory(from: $0) }
            }
            return (storage, socklen_t(MemoryLayout<sockaddr_in6>.size))
        }
    }

    /// The IP address in a `sockaddr_in`/`sockaddr_in6`, nil for other families.
    static func address(of storage: sockaddr_storage) -> IPAddress? {
        let family = Int32(storage.ss_family)
        return withUnsafeBytes(of: storage) { raw -> IPAddress? in
            switch family {
            case AF_INET:
                let a = raw.loadUnaligned(as: sockaddr_in.self)
                return .v4(IPv4Address(UInt32(bigEndian: a.sin_addr.s_addr)))
            case AF_INET6:
                let a = raw.loadUnaligned(as: sockaddr_in6.self)
                return withUnsafeBytes(of: a.sin6_addr) { IPv6Address(bytes: Array($0)).map(IPAddress.v6) }
            default:
                return nil
            }
        }
    }

    /// Sends `bytes` to `address`:`port` on `fd`; false when the kernel refused.
    @discardableResult
    static func send(_ fd: Int32, _ bytes: [UInt8], to address: IPAddress, port: UInt16) -> Bool {
        var (storage, length) = storage(address, port: port)
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
