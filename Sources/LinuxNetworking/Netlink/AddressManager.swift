import CLinuxShim
import Glibc
import Synchronization
import VRRPWire

/// Adds, removes and lists interface addresses over rtnetlink (no `ip`
/// subprocesses: about 20 µs per change instead of milliseconds) and remembers
/// which addresses are ours so a restart can remove what a crashed predecessor
/// left behind.
///
/// Ownership has two marks: every VIP we add carries `IFA_PROTO = protocolTag`
/// (kernel ≥ 5.18 stores and reports it), and is recorded in a state file before
/// it is added. `removeStaleAddresses()` removes addresses with our tag; on a
/// kernel without IFA_PROTO it falls back to the state file. On a tagging kernel
/// an address listed in the file but untagged (or tagged by another tool) was
/// re-added by someone else and is left alone.
///
/// Create it inside the target network namespace; calls are synchronous and
/// thread-safe (one request at a time).
public final class AddressManager: Sendable {
    /// Ownership settings.
    public struct Configuration: Hashable, Sendable {
        /// The IFA_PROTO value marking our addresses. 0–3 are the kernel's own.
        public var protocolTag: UInt8
        /// Where owned addresses are recorded; nil disables the file.
        public var stateFilePath: String?
        /// Whether the kernel stores IFA_PROTO (Linux ≥ 5.18).
        public var protocolTagSupport: ProtocolTagSupport

        public init(protocolTag: UInt8 = AddressManager.defaultProtocolTag,
                    stateFilePath: String? = AddressManager.defaultStateFilePath,
                    protocolTagSupport: ProtocolTagSupport = .detect) {
            self.protocolTag = protocolTag
            self.stateFilePath = stateFilePath
            self.protocolTagSupport = protocolTagSupport
        }
    }

    /// How to decide whether the kernel keeps IFA_PROTO.
    public enum ProtocolTagSupport: Hashable, Sendable {
        /// Supported when any address reports a protocol (kernel link-locals carry 3).
        case detect
        case supported
        /// Pre-5.18 kernel: the state file alone identifies our addresses.
        case unsupported
    }

    /// 0x69 ('i' for ipfailover); iproute2 shows it as `proto 0x69`.
    public static let defaultProtocolTag: UInt8 = 0x69
    public static let defaultStateFilePath = "/run/ipfailover/owned-addresses"

    /// Whether `add` created the address or found it already there.
    public enum AddOutcome: Hashable, Sendable { case added, alreadyPresent }

    public let configuration: Configuration
    let netlink: NetlinkSocket
    let stateFile: OwnedAddressFile?
    /// name → index, so a VIP change is one netlink round trip. An interface that
    /// was recreated gets a new index: a kernel ENODEV drops the entry and retries.
    let indexCache = Mutex<[String: Int32]>([:])
    /// True once the kernel is known to keep IFA_PROTO (`.supported`, or seen by
    /// `removeStaleAddresses`). From then on the tag alone marks our VIPs and the
    /// state file is neither read nor written: a restart removes by tag, and a VIP
    /// change costs one netlink round trip instead of a file rewrite as well (it
    /// delayed the first gratuitous ARP after a takeover by about a millisecond).
    let tagIdentifiesOwnership: Mutex<Bool>

    public init(_ configuration: Configuration = Configuration()) throws {
        self.configuration = configuration
        netlink = try NetlinkSocket()
        stateFile = configuration.stateFilePath.map(OwnedAddressFile.init(path:))
        tagIdentifiesOwnership = Mutex(configuration.protocolTagSupport == .supported)
    }

    /// The state file while it is still needed (the kernel's IFA_PROTO support not
    /// established), else nil.
    var recordingFile: OwnedAddressFile? {
        tagIdentifiesOwnership.withLock { $0 } ? nil : stateFile
    }

    /// The kernel index of `name`, looked up over this manager's netlink socket (so
    /// in its namespace, from any thread).
    public func interfaceIndex(of name: String) throws -> Int32 {
        let payload = Self.ifinfomsg(index: 0) + NetlinkAttribute.encode([.string(UInt16(IFLA_IFNAME), name)])
        do {
            let replies = try netlink.request(type: UInt16(RTM_GETLINK), flags: 0, payload: payload,
                                              operation: "RTM_GETLINK \(name)")
            guard let reply = replies.first, reply.payload.count >= 16 else { throw LinuxNetworkingError.noSuchInterface(name) }
            return Int32(bitPattern: reply.payload[...].u32(at: 4))
        } catch LinuxNetworkingError.netlink(_, ENODEV, _) {
            throw LinuxNetworkingError.noSuchInterface(name)
        }
    }

    /// Looks up and caches the indexes of `interfaces` now, so the first VIP added on
    /// a takeover costs one netlink round trip, not two. Interfaces that do not exist
    /// yet are looked up when first used.
    public func prepare(interfaces: some Sequence<String>) {
        for name in interfaces {
            if let index = try? interfaceIndex(of: name) { indexCache.withLock { $0[name] = index } }
        }
    }

    /// Adds a VIP tagged as ours. An address already present (ours or not) is
    /// reported as `.alreadyPresent` and not modified.
    @discardableResult
    public func add(_ vip: VirtualAddress) throws -> AddOutcome {
        try recordingFile?.insert(vip)
        return try withCachedIndex(vip.interface) { try add(vip, index: $0) }
    }

    /// Runs `body` with the cached index of `name`, refreshing it once if the
    /// kernel says the index no longer exists.
    private func withCachedIndex<T>(_ name: String, _ body: (Int32) throws -> T) throws -> T {
        if let cached = indexCache.withLock({ $0[name] }) {
            do { return try body(cached) } catch LinuxNetworkingError.netlink(_, ENODEV, _) {
                indexCache.withLock { $0[name] = nil }
            }
        }
        let index = try interfaceIndex(of: name)
        indexCache.withLock { $0[name] = index }
        return try body(index)
    }

    private func add(_ vip: VirtualAddress, index: Int32) throws -> AddOutcome {
        let request = addRequest(vip, index: index)
        do {
            _ = try netlink.request(type: request.type, flags: request.flags, payload: request.payload,
                                    operation: request.operation)
            return .added
        } catch LinuxNetworkingError.netlink(_, EEXIST, _) {
            return .alreadyPresent
        }
    }

    func addRequest(_ vip: VirtualAddress, index: Int32) -> NetlinkSocket.Request {
        var attributes = addressAttributes(vip.address)
        if let label = vip.label, vip.address.family == .ipv4 {
            attributes.append(.string(UInt16(IFA_LABEL), label))
        }
        let flags: UInt32 = vip.skipDuplicateAddressDetection && vip.address.family == .ipv6 ? UInt32(IFA_F_NODAD) : 0
        attributes.append(.u32(UInt16(IFA_FLAGS), flags))
        attributes.append(NetlinkAttribute(type: UInt16(clinux_IFA_PROTO), value: [configuration.protocolTag]))
        let payload = Self.ifaddrmsg(vip.address.family, prefix: vip.prefixLength, flags: UInt8(truncatingIfNeeded: flags),
                                     scope: vip.scope.rawValue, index: index) + NetlinkAttribute.encode(attributes)
        return .init(type: UInt16(RTM_NEWADDR), flags: UInt16(NLM_F_CREATE | NLM_F_EXCL), payload: payload,
                     operation: "RTM_NEWADDR \(vip)")
    }

    /// Removes a VIP; returns false when it was not on the interface.
    @discardableResult
    public func remove(_ vip: VirtualAddress) throws -> Bool {
        let removed = try withCachedIndex(vip.interface) {
            try remove(vip.address, prefixLength: vip.prefixLength, interfaceIndex: $0)
        }
        try recordingFile?.remove(vip.address, interface: vip.interface)
        return removed
    }

    func remove(_ address: IPAddress, prefixLength: UInt8, interfaceIndex index: Int32) throws -> Bool {
        let request = removeRequest(address, prefixLength: prefixLength, interfaceIndex: index)
        do {
            _ = try netlink.request(type: request.type, flags: request.flags, payload: request.payload,
                                    operation: request.operation)
            return true
        } catch LinuxNetworkingError.netlink(_, EADDRNOTAVAIL, _) {
            return false
        }
    }

    func removeRequest(_ address: IPAddress, prefixLength: UInt8, interfaceIndex index: Int32) -> NetlinkSocket.Request {
        let payload = Self.ifaddrmsg(address.family, prefix: prefixLength, flags: 0, scope: 0, index: index)
            + NetlinkAttribute.encode(addressAttributes(address))
        return .init(type: UInt16(RTM_DELADDR), flags: 0, payload: payload,
                     operation: "RTM_DELADDR \(address)/\(prefixLength) if#\(index)")
    }

    /// Every address, optionally only one interface's and one family's.
    public func addresses(interface: String? = nil, family: AddressFamily? = nil) throws -> [InterfaceAddress] {
        let index = try interface.map { try interfaceIndex(of: $0) }
        let domain: UInt8 = switch family { case nil: UInt8(AF_UNSPEC); case .ipv4?: UInt8(AF_INET); case .ipv6?: UInt8(AF_INET6) }
        let payload = Self.ifaddrmsg(raw: domain, prefix: 0, flags: 0, scope: 0, index: 0)
        let replies = try netlink.request(type: UInt16(RTM_GETADDR), flags: UInt16(NLM_F_DUMP), payload: payload,
                                          operation: "RTM_GETADDR")
        return replies.compactMap { Self.parseAddress($0.payload) }.filter { index == nil || $0.interfaceIndex == index }
    }

    /// Removes every address a previous run of ours left behind (our IFA_PROTO tag,
    /// or — on kernels that report no protocol — a state-file entry), touching
    /// nothing else. Returns what was removed.
    @discardableResult
    public func removeStaleAddresses() throws -> [InterfaceAddress] {
        let recorded = try stateFile?.entries() ?? []
        let all = try addresses()
        let tagsSupported = switch configuration.protocolTagSupport {
        case .detect: all.contains { $0.protocolTag != nil }
        case .supported: true
        case .unsupported: false
        }
        var removed: [InterfaceAddress] = []
        for address in all {
            let ours: Bool
            if let tag = address.protocolTag {
                ours = tag == configuration.protocolTag
            } else if tagsSupported {
                // We always tag: an untagged address on a tagging kernel was added by someone else,
                // even if it has the address of a VIP we once owned.
                ours = false
            } else {
                let name = NetworkInterfaceName.lookup(index: address.interfaceIndex, manager: self)
                ours = recorded.contains { $0.address == address.address && $0.interface == name }
            }
            guard ours else { continue }
            if try remove(address.address, prefixLength: address.prefixLength, interfaceIndex: address.interfaceIndex) {
                removed.append(address)
            }
        }
        try stateFile?.clear()
        if tagsSupported { tagIdentifiesOwnership.withLock { $0 = true } }
        return removed
    }

    private func addressAttributes(_ address: IPAddress) -> [NetlinkAttribute] {
        // IPv4 needs IFA_LOCAL (the address) and IFA_ADDRESS (peer = same for non-p2p).
        switch address {
        case .v4: [NetlinkAttribute(type: UInt16(IFA_LOCAL), value: address.bytes),
                   NetlinkAttribute(type: UInt16(IFA_ADDRESS), value: address.bytes)]
        case .v6: [NetlinkAttribute(type: UInt16(IFA_ADDRESS), value: address.bytes)]
        }
    }

    static func ifaddrmsg(_ family: AddressFamily, prefix: UInt8, flags: UInt8, scope: UInt8, index: Int32) -> [UInt8] {
        ifaddrmsg(raw: family == .ipv4 ? UInt8(AF_INET) : UInt8(AF_INET6), prefix: prefix, flags: flags, scope: scope, index: index)
    }

    static func ifaddrmsg(raw family: UInt8, prefix: UInt8, flags: UInt8, scope: UInt8, index: Int32) -> [UInt8] {
        var b: [UInt8] = [family, prefix, flags, scope]
        b.appendU32(UInt32(bitPattern: index))
        return b
    }

    static func ifinfomsg(index: Int32) -> [UInt8] {
        var b: [UInt8] = [UInt8(AF_UNSPEC), 0, 0, 0]
        b.appendU32(UInt32(bitPattern: index))
        b.appendU32(0)  // flags
        b.appendU32(0)  // change
        return b
    }

    /// Decodes an RTM_NEWADDR/RTM_DELADDR payload.
    static func parseAddress(_ payload: [UInt8]) -> InterfaceAddress? {
        guard payload.count >= 8 else { return nil }
        let family = Int32(payload[0])
        let index = Int32(bitPattern: payload[...].u32(at: 4))
        let attributes = NetlinkAttribute.parse(payload[8...])
        func value(_ type: UInt32) -> [UInt8]? { attributes.first { $0.type == UInt16(type) }?.value }
        let raw = value(UInt32(IFA_LOCAL)) ?? value(UInt32(IFA_ADDRESS))
        let address: IPAddress?
        switch family {
        case AF_INET: address = raw.flatMap { IPv4Address(bytes: $0) }.map { IPAddress.v4($0) }
        case AF_INET6: address = raw.flatMap { IPv6Address(bytes: $0) }.map { IPAddress.v6($0) }
        default: address = nil
        }
        guard let address else { return nil }
        let flags = attributes.first { $0.type == UInt16(IFA_FLAGS) }?.u32Value ?? UInt32(payload[2])
        return InterfaceAddress(address: address, prefixLength: payload[1], interfaceIndex: index,
                                label: attributes.first { $0.type == UInt16(IFA_LABEL) }?.stringValue,
                                scope: payload[3], flags: flags,
                                protocolTag: value(UInt32(clinux_IFA_PROTO))?.first)
    }
}

/// Index → name through netlink, so lookups happen in the manager's namespace.
enum NetworkInterfaceName {
    static func lookup(index: Int32, manager: AddressManager) -> String? {
        let payload = AddressManager.ifinfomsg(index: index)
        guard let reply = try? manager.netlink.request(type: UInt16(RTM_GETLINK), flags: 0, payload: payload,
                                                       operation: "RTM_GETLINK #\(index)").first,
              reply.payload.count >= 16 else { return nil }
        return NetlinkAttribute.parse(reply.payload[16...]).first { $0.type == UInt16(IFLA_IFNAME) }?.stringValue
    }
}
