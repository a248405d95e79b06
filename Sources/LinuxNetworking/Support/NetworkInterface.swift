import CLinuxShim
import Glibc
import VRRPWire

/// Interface lookups in the calling thread's network namespace.
public enum NetworkInterface {
    /// The kernel index of `name`; throws `.noSuchInterface` when it does not exist.
    public static func index(of name: String) throws -> Int32 {
        let index = if_nametoindex(name)
        guard index != 0 else { throw LinuxNetworkingError.noSuchInterface(name) }
        return Int32(index)
    }

    /// The name of interface `index`, or nil when there is none.
    public static func name(of index: Int32) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(IF_NAMESIZE) + 1)
        guard if_indextoname(UInt32(index), &buffer) != nil else { return nil }
        return buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    /// The Ethernet hardware address of `name` (six bytes).
    public static func hardwareAddress(of name: String) throws -> [UInt8] {
        var mac = [UInt8](repeating: 0, count: 6)
        let rc = clinux_get_hwaddr(name, &mac)
        if rc < 0 {
            if -rc == ENODEV { throw LinuxNetworkingError.noSuchInterface(name) }
            throw LinuxNetworkingError.systemCall(name: "ioctl(SIOCGIFHWADDR)", errno: -rc, context: name)
        }
        return mac
    }

    /// A usable (non-tentative) IPv6 link-local address of `name`, or nil.
    public static func linkLocalAddress(of name: String) -> IPv6Address? {
        var list: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&list) == 0, let first = list else { return nil }
        defer { freeifaddrs(list) }
        var cursor: UnsafeMutablePointer<ifaddrs>? = first
        while let entry = cursor {
            defer { cursor = entry.pointee.ifa_next }
            guard let address = entry.pointee.ifa_addr, address.pointee.sa_family == sa_family_t(AF_INET6),
                  String(cString: entry.pointee.ifa_name) == name else { continue }
            let bytes = address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { pointer in
                withUnsafeBytes(of: pointer.pointee.sin6_addr) { Array($0) }
            }
            if let candidate = IPv6Address(bytes: bytes), candidate.isLinkLocal { return candidate }
        }
        return nil
    }
}
