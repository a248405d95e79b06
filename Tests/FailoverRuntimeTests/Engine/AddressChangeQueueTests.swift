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

    /// A started master engine (VRID 1, priority 255) whose address adds wait for
    /// `addresses.open()`.
    struct StartedMaster {
        let ports: RecordingPorts, clock: ManualClock, addresses: GatedAddresses
        let engine: FailoverEngine<ManualClock>

        init(failingAdds: Bool = false, logger: Logger = Logger(label: "test")) async {
            (ports, clock) = (RecordingPorts(), ManualClock())
            addresses = GatedAddresses(ports, failing: failingAdds)
            engine = FailoverEngine(plan: RuntimePlan(instances: [E.instance(priority: 255, state: .master)]),
                                    ports: EnginePorts(sender: ports, addresses: addresses, announcer: ports, notifier: ports),
                                    clock: clock, logger: logger, addressChanges: AddressChangeQueue(.background))
            await engine.start()
        }
    }

    static func sends(_ calls: [PortCall]) -> Int { calls.filter { if case .send = $0 { true } else { false } }.count }

    /// Whether `calls` hold an address add and a call `later` matches, the add first.
    static func addComesFirst(_ calls: [PortCall], before later: (PortCall) -> Bool) -> Bool {
        guard let add = calls.firstIndex(where: { if case .addAddress = $0 { true } else { false } }),
              let other = calls.firstIndex(where: later) else { return false }
        return add < other
    }

    @Test("While a takeover's VIPs are still being added, the master keeps advertising every interval")
    func advertsContinueWhileAddressesAreAdded() async {
        let master = await StartedMaster()
        let ports = master.ports
        #expect(Self.sends(ports.calls) == 1)
        for n in 2...4 {
            await master.clock.waitForSleepers(1)
            master.clock.advance(by: .milliseconds(100))
            await ports.wait { Self.sends($0) == n }
        }
        #expect(!ports.calls.contains { if case .addAddress = $0 { true } else { false } }, "the add is still held")
        master.addresses.open()
        await master.engine.addressChangesSettled()
        let calls = ports.calls
        #expect(Self.addComesFirst(calls) { if case .announce = $0 { true } else { false } },
                "announced after the addresses are in place: \(calls)")
    }

    @Test("Shutdown returns only after the VIPs are removed, and a removal never overtakes the add before it")
    func shutdownWaitsForTheRemovalAfterTheAdd() async {
        let master = await StartedMaster()
        let stopped = Task { await master.engine.shutdown(); return master.ports.calls }
        await master.ports.wait { $0.contains { $0.isPriorityZeroAdvert } }
        master.addresses.open()
        let calls = await stopped.value
        #expect(Self.addComesFirst(calls) { if case .removeAddress = $0 { true } else { false } }, "\(calls)")
    }

    @Test("A failed add on the queue is still reported, naming the address")
    func failedAddIsLogged() async {
        let store = RecordingLogHandler.Store()
        let master = await StartedMaster(failingAdds: true, logger: RecordingLogHandler.logger(store))
        master.addresses.open()
        await master.engine.addressChangesSettled()
        #expect(store.all.contains { $0.contains("cannot add \(E.vip)") && $0.contains("vrrp.instance=VI_1") }, "\(store.all)")
    }
}
