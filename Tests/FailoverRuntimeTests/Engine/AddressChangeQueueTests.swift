import Dispatch
import FailoverTestKit
import Logging
import Synchronization
import Testing
import VRRPCore
import VRRPWire
@testable import FailoverRuntime

/// Address changes on their own queue (the daemon's mode): adverts go on while a
/// group's addresses are being added, and every change still runs in order.
@Suite struct AddressChangeQueueTests {
    typealias E = FailoverEngineTests

    /// The recording ports, with adds held until `open()` (a netlink batch of 1,000
    /// IPv6 VIPs that takes half a second, without the half second).
    final class GatedAddresses: VirtualAddressManager, Sendable {
        let inner: RecordingPorts
        private let gate = DispatchSemaphore(value: 0)
        private let failing: Bool
        init(_ inner: RecordingPorts, failing: Bool = false) { self.inner = inner; self.failing = failing }
        func open() { gate.signal() }
        func add(_ address: VirtualAddressSpec) throws { try inner.add(address) }
        func remove(_ address: VirtualAddressSpec) throws { try inner.remove(address) }
        func add(contentsOf addresses: [VirtualAddressSpec]) -> [VirtualAddressFailure] {
            // Bounded, so a regression fails the test instead of hanging it; generous,
            // as CPU-heavy suites running alongside can hold the test's tasks for seconds.
            _ = gate.wait(timeout: .now() + 120)
            gate.signal()
            if failing { return addresses.map { VirtualAddressFailure(address: $0, error: CancellationError()) } }
            return inner.add(contentsOf: addresses)
        }
    }

    static func engine(_ instance: RuntimeInstance, ports: RecordingPorts, addresses: GatedAddresses, clock: ManualClock,
                       logger: Logger = Logger(label: "test")) -> FailoverEngine<ManualClock> {
        FailoverEngine(plan: RuntimePlan(instances: [instance]),
                       ports: EnginePorts(sender: ports, addresses: addresses, announcer: ports, notifier: ports),
                       clock: clock, logger: logger, addressChanges: AddressChangeQueue(.background))
    }

    static func sends(_ calls: [PortCall]) -> Int { calls.filter { if case .send = $0 { true } else { false } }.count }

    @Test("While a takeover's VIPs are still being added, the master keeps advertising every interval")
    func advertsContinueWhileAddressesAreAdded() async {
        let ports = RecordingPorts(), clock = ManualClock()
        let addresses = GatedAddresses(ports)
        let engine = Self.engine(E.instance(priority: 255, state: .master), ports: ports, addresses: addresses, clock: clock)
        await engine.start()
        #expect(Self.sends(ports.calls) == 1)
        for n in 2...4 {
            await clock.waitForSleepers(1)
            clock.advance(by: .milliseconds(100))
            await ports.wait { Self.sends($0) == n }
        }
        #expect(!ports.calls.contains { if case .addAddress = $0 { true } else { false } }, "the add is still held")
        addresses.open()
        await engine.addressChangesSettled()
        let calls = ports.calls
        let add = calls.firstIndex { if case .addAddress = $0 { true } else { false } }
        let announce = calls.firstIndex { if case .announce = $0 { true } else { false } }
        #expect(add != nil && announce != nil && add! < announce!, "announced after the addresses are in place: \(calls)")
    }

    @Test("Shutdown returns only after the VIPs are removed, and a removal never overtakes the add before it")
    func shutdownWaitsForTheRemovalAfterTheAdd() async {
        let ports = RecordingPorts(), clock = ManualClock()
        let addresses = GatedAddresses(ports)
        let engine = Self.engine(E.instance(priority: 255, state: .master), ports: ports, addresses: addresses, clock: clock)
        await engine.start()
        let stopped = Task { await engine.shutdown(); return ports.calls }
        await ports.wait { $0.contains { $0.isPriorityZeroAdvert } }
        addresses.open()
        let calls = await stopped.value
        let add = calls.firstIndex { if case .addAddress = $0 { true } else { false } }
        let remove = calls.firstIndex { if case .removeAddress = $0 { true } else { false } }
        #expect(add != nil && remove != nil && add! < remove!, "\(calls)")
    }

    @Test("A failed add on the queue is still reported, naming the address")
    func failedAddIsLogged() async {
        let ports = RecordingPorts(), clock = ManualClock(), store = RecordingLogHandler.Store()
        let addresses = GatedAddresses(ports, failing: true)
        addresses.open()
        let engine = Self.engine(E.instance(priority: 255, state: .master), ports: ports, addresses: addresses, clock: clock,
                                 logger: RecordingLogHandler.logger(store))
        await engine.start()
        await engine.addressChangesSettled()
        #expect(store.all.contains { $0.contains("cannot add \(E.vip)") && $0.contains("vrrp.instance=VI_1") }, "\(store.all)")
    }
}
