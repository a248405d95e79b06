import FailoverRuntime
import VRRPWire

/// The runtime's address port over rtnetlink, tagging every VIP as ours.
public struct LinuxVirtualAddresses: VirtualAddressManager {
    public let manager: AddressManager

    public init(manager: AddressManager) { self.manager = manager }

    public func add(_ address: VirtualAddressSpec) throws { _ = try manager.add(VirtualAddress(address)) }
    public func remove(_ address: VirtualAddressSpec) throws { _ = try manager.remove(VirtualAddress(address)) }

    /// One state-file write and pipelined netlink requests for the whole list.
    public func add(contentsOf addresses: [VirtualAddressSpec]) -> [VirtualAddressFailure] {
        do {
            return Self.failures(addresses, try manager.add(contentsOf: addresses.map(VirtualAddress.init)))
        } catch {
            return addresses.map { VirtualAddressFailure(address: $0, error: error) }
        }
    }

    /// `add(contentsOf:)`, reporting each netlink window's addresses as its ACKs arrive.
    public func add(contentsOf addresses: [VirtualAddressSpec],
                    applied: ([VirtualAddressSpec]) -> Void) -> [VirtualAddressFailure] {
        do {
            let outcomes = try manager.add(contentsOf: addresses.map(VirtualAddress.init)) { indices in
                applied(indices.map { addresses[$0] })
            }
            return Self.failures(addresses, outcomes)
        } catch {
            return addresses.map { VirtualAddressFailure(address: $0, error: error) }
        }
    }

    /// The add path with lookups in place of the adds (`AddressManager.rehearseAdd`).
    public func rehearseAdd(contentsOf addresses: [VirtualAddressSpec], applied: ([VirtualAddressSpec]) -> Void) {
        manager.rehearseAdd(contentsOf: addresses.map(VirtualAddress.init)) { indices in
            applied(indices.map { addresses[$0] })
        }
    }

    /// Pipelined netlink requests and one state-file write for the whole list.
    public func remove(contentsOf addresses: [VirtualAddressSpec]) -> [VirtualAddressFailure] {
        do {
            return Self.failures(addresses, try manager.remove(contentsOf: addresses.map(VirtualAddress.init)))
        } catch {
            return addresses.map { VirtualAddressFailure(address: $0, error: error) }
        }
    }

    private static func failures<T>(_ addresses: [VirtualAddressSpec],
                                    _ outcomes: [Result<T, LinuxNetworkingError>]) -> [VirtualAddressFailure] {
        zip(addresses, outcomes).compactMap { spec, outcome in
            if case .failure(let error) = outcome { VirtualAddressFailure(address: spec, error: error) } else { nil }
        }
    }
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
