import FailoverTestKit
import Testing
import VRRPCore
import VRRPWire
@testable import FailoverRuntime

/// The takeover warm-up: shortly before a backup's Master_Down_Timer expires, the
/// engine runs the takeover path without effect, so the takeover finds it in the
/// CPU's caches. The steady state (adverts arriving) never reaches it.
@Suite struct TakeoverWarmUpTests {
    typealias E = FailoverEngineTests

    /// An engine of `instances` (all BACKUP), started and armed; the first unit's
    /// deadline (its Master_Down_Timer).
    static func started(_ instances: [RuntimeInstance])
        async -> (RecordingPorts, ManualClock, FailoverEngine<ManualClock>, Duration) {
        let ports = RecordingPorts(), clock = ManualClock()
        let engine = E.engine(instances, ports: ports, clock: clock)
        await engine.start()
        await clock.waitForSleepers(1)
        return (ports, clock, engine, (await engine.deadlines[0])!.offset)
    }

    static func warmUps(_ engine: FailoverEngine<ManualClock>) async -> [String: UInt64] {
        Dictionary(uniqueKeysWithValues: await engine.snapshot().instances.map { ($0.name, $0.counters["takeover_warm_ups"] ?? 0) })
    }

    @Test("A backup rehearses its takeover once, without effect, just before its Master_Down_Timer expires")
    func backupWarmsUpBeforeItsMasterDownTimerExpires() async {
        let (ports, clock, engine, deadline) = await Self.started([E.instance()])
        #expect(ports.rehearsals.adds.count == 1, "start-up rehearsal")

        clock.advance(by: deadline - .microseconds(1500))
        await clock.waitForSleepers(1)  // re-armed for the takeover after the warm-up
        let rehearsed = ports.rehearsals
        #expect(rehearsed.sends.count == 2 && rehearsed.adds.count == 2 && rehearsed.announcements.count == 2)
        #expect(rehearsed.adds.last?.map(\.address) == [E.vip])
        #expect(await Self.warmUps(engine) == ["VI_1": 1])
        #expect(ports.calls == [.notify(NotifyEvent(scope: .instance, name: "VI_1", state: .backup, priority: 100))],
                "a warm-up has no effect: \(ports.calls)")
        #expect(await engine.snapshot().instances[0].state == "BACKUP")

        clock.advance(by: .milliseconds(2))
        await ports.wait { $0.contains(.notify(NotifyEvent(scope: .instance, name: "VI_1", state: .master, priority: 100))) }
        #expect(ports.calls.contains { if case .addAddress(let s) = $0 { s.address == E.vip } else { false } })
        #expect(ports.rehearsals.adds.count == 2, "the takeover itself is real, not rehearsed")
        #expect(await Self.warmUps(engine) == ["VI_1": 1])
    }

    @Test("Adverts arriving every interval keep the Master_Down_Timer away: no warm-up in the steady state")
    func steadyStateNeverWarmsUp() async {
        let ports = RecordingPorts(), clock = ManualClock()
        let engine = E.engine([E.instance()], ports: ports, clock: clock)
        await engine.start()
        for _ in 0..<20 {
            await clock.waitForSleepers(1)
            clock.advance(by: .milliseconds(100))
            await engine.receive(E.advert(priority: 150))
        }
        #expect(ports.rehearsals.adds.count == 1, "only the start-up rehearsal")
        #expect(await Self.warmUps(engine) == ["VI_1": 0])
        #expect(await engine.snapshot().instances[0].state == "BACKUP")
    }

    @Test("Of many backups whose masters went quiet together, one warm-up runs: the path is shared")
    func oneWarmUpForBackupsDueTogether() async {
        let instances = (51...53).map { E.instance("VI_\($0)", vrid: UInt8($0), vips: [IPAddress("198.51.100.\($0)")!]) }
        let (ports, clock, engine, deadline) = await Self.started(instances)
        clock.advance(by: deadline - .microseconds(1500))
        await clock.waitForSleepers(1)
        #expect(ports.rehearsals.adds.count == 3 + 1)
        #expect(await Self.warmUps(engine).values.reduce(0, +) == 1)
        clock.advance(by: .milliseconds(2))
        await ports.wait { calls in calls.filter { if case .notify(let n) = $0 { n.state == .master } else { false } }.count == 3 }
        #expect(ports.rehearsals.adds.count == 4)
    }

    @Test("A warm-up never runs closer than half its lead to the takeover: it must not delay it")
    func noWarmUpWhenTheTakeoverIsTooClose() async {
        let (ports, clock, engine, deadline) = await Self.started([E.instance()])
        // The engine wakes for the warm-up late (a loaded machine): 0.5 ms before the takeover.
        clock.advance(by: deadline - .microseconds(500))
        await clock.waitForSleepers(1)
        #expect(ports.rehearsals.adds.count == 1)
        #expect(await Self.warmUps(engine) == ["VI_1": 0])
        clock.advance(by: .milliseconds(1))
        await ports.wait { $0.contains(.notify(NotifyEvent(scope: .instance, name: "VI_1", state: .master, priority: 100))) }
        #expect(ports.rehearsals.adds.count == 1)
    }

    @Test("A large group's warm-up rehearses one netlink window of its addresses, not all of them")
    func largeGroupWarmUpIsBounded() async {
        let vips = (1...200).map { IPAddress("198.51.\(100 + $0 / 250).\($0 % 250 + 1)")! }
        let (ports, clock, engine, deadline) = await Self.started([E.instance(vips: vips)])
        #expect(ports.rehearsals.adds.first?.count == 200, "start-up rehearses every VIP")
        clock.advance(by: deadline - .microseconds(1500))
        await clock.waitForSleepers(1)
        #expect(ports.rehearsals.adds.count == 2)
        #expect(ports.rehearsals.adds.last?.map(\.address) == Array(vips.prefix(ActionExecutor.pipelinedGroupSize)))
    }
}
