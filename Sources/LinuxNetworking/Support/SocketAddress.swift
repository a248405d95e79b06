import CLinuxShim
import Glibc
import VRRPWire

/// Conversions between `IPAddress` and the kernel's `in_addr`/`in6_addr`/`sockaddr_*`.
public enum SocketAddress {
    public static func inAddr(_ a: IPv4Address) -> in_addr {
        in_addr(s_addr: a.value.bigEndian)
    }

    public static func ipv4(_ a: in_addr) -> IPv4Address {
        IPv4Address(UInt32(bigEndian: a.s_addr))
    }

    public static func in6Addr(_ a: IPv6Address) -> in6_addr {
        var out = in6_addr()
        withUnsafeMutableBytes(of: &out) { raw in
            for (i, b) in a.bytes.enumerated() { raw[i] = b }
        }
        return out
    }

    public static func ipv6(_ a: in6_addr) -> IPv6Address {
        var copy = a
        return withUnsafeBytes(of: &copy) { IPv6Address(bytes: Array($0))! }
    }

    public static func sockaddrIn(_ a: IPv4Address) -> sockaddr_in {
        var s = sockaddr_in()
        s.sin_family = sa_family_t(AF_INET)
        s.sin_addr = inAddr(a)
        return s
    }

    /// A sockaddr_in6; link-local destinations get `scopeID` (the interface index).
    public static func sockaddrIn6(_ a: IPv6Address, scopeID: UInt32) -> sockaddr_in6 {
        var s = sockaddr_in6()
        s.sin6_family = sa_family_t(AF_INET6)
        s.sin6_addr = in6Addr(a)
        if a.isLinkLocal || a.isMulticast { s.sin6_scope_id = scopeID }
        return s
    }

    /// A `sockaddr_storage` holding `address`:`port` (a link-local or multicast IPv6
    /// address gets `scopeID`), and its length for `bind`/`sendto`/`connect`.
    public static func storage(_ address: IPAddress, port: UInt16, scopeID: UInt32 = 0) -> (sockaddr_storage, socklen_t) {
        var storage = sockaddr_storage()
        switch address {
        case .v4(let a):
            var s = sockaddrIn(a)
            s.sin_port = port.bigEndian
            withUnsafeMutableBytes(of: &storage) { raw in withUnsafeBytes(of: &s) { raw.copyMemory(from: $0) } }
            return (storage, socklen_t(MemoryLayout<sockaddr_in>.size))
        case .v6(let a):
            var s = sockaddrIn6(a, scopeID: scopeID)
            s.sin6_port = port.bigEndian
            withUnsafeMutableBytes(of: &storage) { raw in withUnsafeBytes(of: &s) { raw.copyMemory(from: $0) } }
            return (storage, socklen_t(MemoryLayout<sockaddr_in6>.size))
        }
    }

    /// The IP address in a `sockaddr_in`/`sockaddr_in6` (as `recvfrom` fills one), nil
    /// for other families.
    public static func address(of storage: sockaddr_storage) -> IPAddress? {
        let family = Int32(storage.ss_family)
        return withUnsafeBytes(of: storage) { raw -> IPAddress? in
            switch family {
            case AF_INET: .v4(ipv4(raw.loadUnaligned(as: sockaddr_in.self).sin_addr))
            case AF_INET6: .v6(ipv6(raw.loadUnaligned(as: sockaddr_in6.self).sin6_addr))
            default: nil
            }
        }
    }
}
