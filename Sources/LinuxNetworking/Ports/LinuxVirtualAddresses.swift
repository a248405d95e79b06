import FailoverRuntime
import VRRPWire

/// The runtime's address port over rtnetlink, tagging every VIP as ours.
public struct LinuxVirtualAddresses: VirtualAddressManager {
    public let manager: AddressManager

    public init(manager: AddressManager) { self.manager = manager }

    public func add(_ address: VirtualAddressSpec) throws { _ = try manager.add(VirtualAddress(address)) }
    public func remove(_ address: VirtualAddressSpec) throws { _ = try manager.remove(VirtualAddress(address)) }
}

extension VirtualAddress {
    /// The kernel request for a configured VIP.
    public init(_ spec: VirtualAddressSpec) {
        self.init(spec.address, prefixLength: UInt8(clamping: spec.prefixLength), interface: spec.interface,
                  label: spec.label, scope: spec.scope.flatMap(AddressScope.init(name:)) ?? .global)
    }
}

extension AddressScope {
    /// keepalived's `scope` names (numbers are accepted too).
    public init?(name: String) {
        switch name {
        case "global": self = .global
        case "site": self = .site
        case "link": self = .link
        case "host": self = .host
        case "nowhere": self = .nowhere
        default:
            guard let value = UInt8(name), let scope = AddressScope(rawValue: value) else { return nil }
            self = scope
        }
    }
}
