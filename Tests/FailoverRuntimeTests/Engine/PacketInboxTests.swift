import FailoverTestKit
import Logging
import Testing
import VRRPCore
import VRRPWire
@testable import FailoverRuntime

/// The receive inbox between the sockets and the engine, and the rule it exists for.
@Suite struct PacketInboxTests {
    static func packet(priority: UInt8) -> InboundPacket { FailoverEngineTests.advert(priority: priority) }

    @Test func takeReturnsPacketsInArrivalOrderAndEmptiesTheInbox() {
        let inbox = PacketInbox()
        inbox.append([Self.packet(priority: 1), Self.packet(priority: 2)])
        inbox.append([Self.packet(priority: 3)])
        #expect(inbox.take().map { $0.packet.payload[2] } == [1, 2, 3])
        #expect(inbox.take().isEmpty)
    }

    @Test func theDoorbellDoesNotRingAgainUntilTheInboxIsEmptied() async {
        let inbox = PacketInbox()
        var rings = inbox.doorbell.makeAsyncIterator()
        inbox.append([Self.packet(priority: 1)])
        #expect(await rings.next() != nil)
        inbox.append([Self.packet(priority: 2)])   // not taken yet: no second ring
        inbox.close()
        #expect(await rings.next() == nil)
        #expect(inbox.take().count == 2)
    }

    @Test func theDoorbellRingsAgainAfterTheEngineTookEverything() async {
        let inbox = PacketInbox()
        var rings = inbox.doorbell.makeAsyncIterator()
        inbox.append([Self.packet(priority: 1)])
        #expect(await rings.next() != nil)
        _ = inbox.take()
        inbox.append([Self.packet(priority: 2)])
        #expect(await rings.next() != nil)
    }

    @Test func beyondCapacityTheOldestPacketsAreDroppedAndCounted() {
        let inbox = PacketInbox(capacity: 2)
        inbox.append([Self.packet(priority: 1), Self.packet(priority: 2), Self.packet(priority: 3)])
        #expect(inbox.take().map { $0.packet.payload[2] } == [2, 3])
        #expect(inbox.dropped == 1)
    }

    @Test("RFC 5798 §6.4.2: an advert received before the Master_Down_Timer expires resets it, even if the engine sees the timer first")
    func advertWaitingInTheInboxIsHandledBeforeTheMasterDownTimer() async {
        let ports = RecordingPorts(), clock = ManualClock()
        let engine = FailoverEngineTests.engine([FailoverEngineTests.instance()], ports: ports, clock: clock)
        let inbox = PacketInbox()
        await engine.attach(inbox: inbox)
        await engine.start()
        await clock.waitForSleepers(1)
        // The master's advert arrived at 300 ms, but the doorbell task has not run
        // yet when the down timer (≈ 361 ms) fires.
        clock.advance(by: .milliseconds(300))
        inbox.append([FailoverEngineTests.advert(priority: 200)])
        clock.advance(by: .milliseconds(100))
        // The timer task ran and re-armed for the reset down timer.
        await clock.waitForSleepers(1)
        let snapshot = await engine.snapshot()
        #expect(snapshot.instances[0].state == "BACKUP")
        #expect(snapshot.instances[0].counters["advert_rcvd"] == 1)
        #expect(!ports.calls.contains(.notify(NotifyEvent(scope: .instance, name: "VI_1", state: .master, priority: 100))))
    }

    @Test func drainInboxHandlesEveryWaitingPacket() async {
        let ports = RecordingPorts(), clock = ManualClock()
        let engine = FailoverEngineTests.engine([FailoverEngineTests.instance()], ports: ports, clock: clock)
        let inbox = PacketInbox()
        await engine.attach(inbox: inbox)
        await engine.start()
        inbox.append([FailoverEngineTests.advert(priority: 200), FailoverEngineTests.advert(priority: 0)])
        await engine.drainInbox()
        let counters = await engine.snapshot().instances[0].counters
        #expect(counters["advert_rcvd"] == 2)
        #expect(counters["pri_zero_rcvd"] == 1)
        #expect(inbox.take().isEmpty)
    }
}
