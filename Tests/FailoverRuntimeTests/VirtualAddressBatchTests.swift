import FailoverRuntime
import Synchronization
import Testing
import VRRPWire

/// An address port that only knows one address at a time and refuses some.
private final class OneAtATimeAddresses: VirtualAddressManager, Sendable {
    struct Refused: Error, Equatable { var address: IPAddress }
    let refused: Set<IPAddress>
    let calls = Mutex<[String]>([])

    init(refusing refused: Set<IPAddress>) { self.refused = refused }

    func add(_ address: VirtualAddressSpec) throws {
        calls.withLock { $0.append("add \(address.address)") }
        if refused.contains(address.address) { throw Refused(address: address.address) }
    }

    func remove(_ address: VirtualAddressSpec) throws {
        calls.withLock { $0.append("remove \(address.address)") }
        if refused.contains(address.address) { throw Refused(address: address.address) }
    }
}

@Suite("Address port batches")
struct VirtualAddressBatchTests {
    static let specs = (1...5).map { VirtualAddressSpec(address: IPAddress("198.51.100.\($0)")!, interface: "eth0") }

    @Test("A port without batching gets one call per address, in order; a refusal neither stops the rest nor hides")
    func defaultBatchIsOneCallPerAddress() {
        let port = OneAtATimeAddresses(refusing: [IPAddress("198.51.100.2")!, IPAddress("198.51.100.4")!])
        let added = port.add(contentsOf: Self.specs)
        #expect(added.map(\.address.address) == [IPAddress("198.51.100.2")!, IPAddress("198.51.100.4")!])
        #expect(added.map { $0.error as? OneAtATimeAddresses.Refused } == [.init(address: IPAddress("198.51.100.2")!),
                                                                          .init(address: IPAddress("198.51.100.4")!)])
        let removed = port.remove(contentsOf: Self.specs)
        #expect(removed.count == 2)
        #expect(port.calls.withLock { $0 } == Self.specs.map { "add \($0.address)" } + Self.specs.map { "remove \($0.address)" })
    }

    @Test("An empty batch does nothing")
    func emptyBatch() {
        let port = OneAtATimeAddresses(refusing: [])
        #expect(port.add(contentsOf: []).isEmpty)
        #expect(port.calls.withLock { $0 }.isEmpty)
    }
}
