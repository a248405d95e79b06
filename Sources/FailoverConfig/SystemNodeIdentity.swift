#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import VRRPWire

/// Reads the node's identity from the running system (host name, interface addresses,
/// default route). Loader layer: the parsers never call it; the executable does.
public enum SystemNodeIdentity {
    /// The interfaces the OpenShift image tries, in order, when
    /// OPENSHIFT_HA_NETWORK_INTERFACE is unset (its VirtualBox-era list).
    public static let imageInterfaceCandidates = ["enp0s3", "enp0s8", "eth1", "ens3"]

    /// The image's interface choice, given what exists: `requested` as is, else the
    /// first existing of `imageInterfaceCandidates`, else the interface of the route
    /// to 8.8.8.8 (the image runs `ip route get 8.8.8.8`). nil when none applies.
    public static func chooseInterface(requested: String?, existing: Set<String>, routeDevice: String?) -> String? {
        if let requested { return requested }
        return imageInterfaceCandidates.first(where: existing.contains) ?? routeDevice
    }

    /// The host name, the interface (`chooseInterface` on this system) and that
    /// interface's first IPv4 address (IPv6 global address when it has no IPv4).
    public static func detect(interface requested: String? = nil) -> NodeIdentity {
        let addresses = interfaceAddresses()
        let interface = chooseInterface(requested: requested, existing: Set(interfaceNames()),
                                        routeDevice: routeInterface(toward: IPv4Address(8, 8, 8, 8)))
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

    /// Every interface name (if_nameindex(3)), with or without addresses.
    public static func interfaceNames() -> [String] {
        guard let list = if_nameindex() else { return [] }
        defer { if_freenameindex(list) }
        var names: [String] = []
        var cursor = list
        while cursor.pointee.if_index != 0, let name = cursor.pointee.if_name {
            names.append(String(cString: name))
            cursor += 1
        }
        return names
    }

    /// The interface of the IPv4 route toward `destination` in the main table
    /// (/proc/net/route: longest prefix, then lowest metric).
    public static func routeInterface(toward destination: IPv4Address) -> String? {
        guard let text = FileConfigSource.readFile("/proc/net/route") else { return nil }
        return routeInterface(toward: destination, procNetRoute: text)
    }

    /// `routeInterface(toward:)` on the text of /proc/net/route, whose addresses and
    /// masks are the raw network-order words printed in hexadecimal.
    public static func routeInterface(toward destination: IPv4Address, procNetRoute text: String) -> String? {
        var best: (device: String, prefix: Int, metric: Int)?
        for line in text.split(separator: "\n").dropFirst() {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard fields.count > 7, let network = UInt32(fields[1], radix: 16), let flags = Int(fields[3], radix: 16),
                  let metric = Int(fields[6]), let mask = UInt32(fields[7], radix: 16), flags & 0x1 != 0 else { continue }
            let network4 = UInt32(bigEndian: network), mask4 = UInt32(bigEndian: mask)
            guard destination.value & mask4 == network4 & mask4 else { continue }
            let prefix = mask4.nonzeroBitCount
            if let current = best, current.prefix > prefix || (current.prefix == prefix && current.metric <= metric) { continue }
            best = (String(fields[0]), prefix, metric)
        }
        return best?.device
    }
}
