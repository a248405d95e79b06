import CLinuxShim
import Glibc
import VRRPWire

/// Conversions between `IPAddress` and the kernel's `in_addr`/`in6_addr`/`sockaddr_*`.
enum SocketAddress {
    static func inAddr(_ a: IPv4Address) -> in_addr {
        in_addr(s_addr: a.value.bigEndian)
    }

    static func ipv4(_ a: in_addr) -> IPv4Address {
        IPv4Address(UInt32(bigEndian: a.s_addr))
    }

    static func in6Addr(_ a: IPv6Address) -> in6_addr {
        var out = in6_addr()
        withUnsafeMutableBytes(of: &out) { raw in
            for (i, b) in a.bytes.enumerated() { raw[i] = b }
        }
        return out
    }

    static func ipv6(_ a: in6_addr) -> IPv6Address {
        var copy = a
        return withUnsafeBytes(of: &copy) { IPv6Address(bytes: Array($0))! }
    }

    static func sockaddrIn(_ a: IPv4Address) -> sockaddr_in {
        var s = sockaddr_in()
        s.sin_family = sa_family_t(AF_INET)
        s.sin_addr = inAddr(a)
        return s
    }

    /// A sockaddr_in6; link-local destinations get `scopeID` (the interface index).
    static func sockaddrIn6(_ a: IPv6Address, scopeID: UInt32) -> sockaddr_in6 {
        var s = sockaddr_in6()
        s.sin6_family = sa_family_t(AF_INET6)
        s.sin6_addr = in6Addr(a)
        if a.isLinkLocal || a.isMulticast { s.sin6_scope_id = scopeID }
        return s
    }
}
