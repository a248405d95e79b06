#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import VRRPWire

/// Reads the node's identity from the running system (host name, interface addresses,
/// default route). Loader layer: the parsers never call it; the executable does.
public enum SystemNodeIdentity {
    /// The host name, the interface (the given one, else the default route's, else the
    /// first non-loopback interface with IPv4) and that interface's first IPv4 address
    /// (IPv6 global address when it has no IPv4).
    public static func detect(interface requested: String? = nil) -> NodeIdentity {
        let addresses = interfaceAddresses()
        let interface = requested ?? defaultRouteInterface()
            ?? addresses.first(where: { $0.name != "lo" && $0.address.family == .ipv4 })?.name
        let own = addresses.filter { $0.name == interface }
        let primary = own.first(where: { $0.address.family == .ipv4 })?.address
            ?? own.first(where: { if case .v6(let a) = $0.address { !a.isLinkLocal } else { false } })?.address
        return NodeIdentity(hostname: hostname(), primaryAddress: primary, interface: interface)
    }

    /// The identity env mode uses: explicit values (flags) first, then
    /// `IPFAILOVER_NODE_ADDRESS` / `IPFAILOVER_HOSTNAME` from `environment`, then the
    /// system (interface from `OPENSHIFT_HA_NETWORK_INTERFACE` or the default route).
    /// Throws when an address given explicitly or by variable does not parse.
    public static func resolve(environment: [String: String], nodeAddress: String? = nil,
                               hostname: String? = nil) throws(NodeIdentityError) -> NodeIdentity {
        func nonEmpty(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        var node = detect(interface: nonEmpty("OPENSHIFT_HA_NETWORK_INTERFACE"))
        if let name = hostname ?? nonEmpty("IPFAILOVER_HOSTNAME") { node.hostname = name }
        if let text = nodeAddress ?? nonEmpty("IPFAILOVER_NODE_ADDRESS") {
            guard let address = IPAddress(text) else {
                throw NodeIdentityError(message: "node address '\(text)' (--node-address or IPFAILOVER_NODE_ADDRESS) "
                    + "is not an IPv4 or IPv6 address")
            }
            node.primaryAddress = address
        }
        return node
    }

    /// A node identity given by the user that cannot be used.
    public struct NodeIdentityError: Error, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    /// gethostname(2).
    public static func hostname() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Every interface address from getifaddrs(3), in kernel order.
    public static func interfaceAddresses() -> [(name: String, address: IPAddress)] {
        var head: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&head) == 0 else { return [] }
        defer { freeifaddrs(head) }
        var result: [(String, IPAddress)] = []
        var cursor = head
        while let entry = cursor {
            defer { cursor = entry.pointee.ifa_next }
            guard let sa = entry.pointee.ifa_addr else { continue }
            let name = String(cString: entry.pointee.ifa_name)
            switch Int32(sa.pointee.sa_family) {
            case AF_INET:
                let value = sa.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr.s_addr }
                result.append((name, .v4(IPv4Address(UInt32(bigEndian: value)))))
            case AF_INET6:
                let bytes = sa.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { p in
                    withUnsafeBytes(of: p.pointee.sin6_addr) { Array($0) }
                }
                if let a = IPv6Address(bytes: bytes) { result.append((name, .v6(a))) }
            default:
                continue
            }
        }
        return result
    }

    /// The interface of the IPv4 default route, from /proc/net/route.
    public static func defaultRouteInterface() -> String? {
        guard let text = FileConfigSource.readFile("/proc/net/route") else { return nil }
        for line in text.split(separator: "\n").dropFirst() {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            if fields.count > 2, fields[1] == "00000000" { return String(fields[0]) }
        }
        return nil
    }
}
