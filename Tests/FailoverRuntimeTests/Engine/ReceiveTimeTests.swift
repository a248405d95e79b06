import FailoverTestKit
import Logging
import Synchronization
import Testing
import VRRPWire
@testable import FailoverRuntime

/// A wall clock the test sets.
final class FixedWallClock: WallClock {
    let reading: Mutex<WallClockTime>
    init(_ nanoseconds: Int64) { reading = Mutex(WallClockTime(nanosecondsSinceEpoch: nanoseconds)) }
    func now() -> WallClockTime { reading.withLock { $0 } }
}

/// Packets count from when the kernel received them, not from when the engine got to them.
@Suite struct ReceiveTimeTests {
    static let wallNow: Int64 = 1_800_000_000_000_000_000

    static func engine(_ ports: RecordingPorts, _ clock: ManualClock) -> FailoverEngine<ManualClock> {
        FailoverEngine(plan: RuntimePlan(instances: [FailoverEngineTests.instance()]), ports: ports.enginePorts,
                       clock: clock, logger: .init(label: "test"), wallClock: FixedWallClock(wallNow))
    }

    static func advert(receivedAgo age: Duration) -> InboundPacket {
        var packet = FailoverEngineTests.advert(priority: 200)
        let (seconds, attoseconds) = age.components
        packet.receivedAt = WallClockTime(nanosecondsSinceEpoch: wallNow - (seconds * 1_000_000_000 + attoseconds / 1_000_000_000))
        return packet
    }

    static let becameMaster = NotifyEvent(scope: .instance, name: "VI_1", state: .master, priority: 100)

    // v3, 100 ms adverts, priority 100: Master_Down_Interval = 300 ms + 156/256 × 100 ms = 360.9375 ms.

    @Test("RFC 5798 §6.4.2: the Master_Down_Timer restarts from when the kernel received the advert, not from when it was handled")
    func masterDownTimerCountsFromTheKernelReceiveTime() async {
        let ports = RecordingPorts(), clock = ManualClock()
        let engine = Self.engine(ports, clock)
        await engine.start()
        await clock.waitForSleepers(1)
        clock.advance(by: .milliseconds(300))
        // Handled at 300 ms, received 4 ms earlier: the timer runs out at 656.94 ms.
        await engine.receive(Self.advert(receivedAgo: .milliseconds(4)))
        clock.advance(by: .milliseconds(356))  // 656 ms
        await clock.waitForSleepers(1)
        #expect(await engine.snapshot().instances[0].state == "BACKUP")
        clock.advance(by: .milliseconds(2))  // 658 ms: before 660.94, when it would run out counted from handling
        await clock.waitForSleepers(1)
        #expect(await engine.snapshot().instances[0].state == "MASTER")
        #expect(ports.calls.contains(.notify(Self.becameMaster)))
    }

    @Test("A receive timestamp from a wall-clock step counts as at most 25 ms old (receive lag plus the coalescing window)")
    func receiveTimestampAgeIsCapped() async {
        let ports = RecordingPorts(), clock = ManualClock()
        let engine = Self.engine(ports, clock)
        await engine.start()
        await clock.waitForSleepers(1)
        clock.advance(by: .milliseconds(300))
        // Stamped a whole second before the wall clock's reading: counted as 25 ms, so
        // the timer runs out at 635.94 ms — not at once, as a second's age would make it.
        await engine.receive(Self.advert(receivedAgo: .seconds(1)))
        clock.advance(by: .milliseconds(335))  // 635 ms
        await clock.waitForSleepers(1)
        #expect(await engine.snapshot().instances[0].state == "BACKUP")
        clock.advance(by: .milliseconds(2))  // 637 ms
        await clock.waitForSleepers(1)
        #expect(await engine.snapshot().instances[0].state == "MASTER")
    }

    @Test("A timestamp later than the wall clock's reading counts as received now")
    func futureReceiveTimestampCountsAsNow() async {
        let ports = RecordingPorts(), clock = ManualClock()
        let engine = Self.engine(ports, clock)
        await engine.start()
        await clock.waitForSleepers(1)
        clock.advance(by: .milliseconds(300))
        await engine.receive(Self.advert(receivedAgo: .milliseconds(-50)))
        clock.advance(by: .milliseconds(360))  // 660 ms: the timer, counted from 300 ms, runs out at 660.94
        await clock.waitForSleepers(1)
        #expect(await engine.snapshot().instances[0].state == "BACKUP")
        clock.advance(by: .milliseconds(1))
        await clock.waitForSleepers(1)
        #expect(await engine.snapshot().instances[0].state == "MASTER")
    }
}
