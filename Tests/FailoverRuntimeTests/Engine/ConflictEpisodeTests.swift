import FailoverTestKit
import Logging
import Testing
import VRRPCore
import VRRPWire
@testable import FailoverRuntime

/// The engine turns the core's `PeerConflict` facts into episodes: counted per
/// instance, logged once when they begin and once when they end, shown in the
/// snapshot behind `/status` and `/metrics`.
@Suite struct ConflictEpisodeTests {
    typealias E = FailoverEngineTests

    static func masterEngine(_ store: RecordingLogHandler.Store, ports: RecordingPorts, clock: ManualClock) async -> FailoverEngine<ManualClock> {
        let engine = FailoverEngine(plan: RuntimePlan(instances: [E.instance(priority: 150)]), ports: ports.enginePorts,
                                    clock: clock, logger: RecordingLogHandler.logger(store))
        await engine.start()
        await clock.waitForSleepers(1)
        clock.advance(by: .milliseconds(400))
        await ports.wait { $0.contains(.notify(NotifyEvent(scope: .instance, name: "VI_1", state: .master, priority: 150))) }
        return engine
    }

    @Test("split-brain episode rule: adverts from another master are one episode, logged once with the peer's address, and again when it ends")
    func splitBrainIsOneEpisodeLoggedOnceAndEnded() async throws {
        let ports = RecordingPorts(), clock = ManualClock(), store = RecordingLogHandler.Store()
        let engine = await Self.masterEngine(store, ports: ports, clock: clock)
        clock.advance(by: .seconds(1))  // master for longer than one Master_Down_Interval
        for _ in 0..<5 {
            await engine.receive(E.advert(priority: 100))
            clock.advance(by: .milliseconds(100))
        }
        var instance = try #require(await engine.snapshot().instances.first)
        #expect(instance.splitBrain.active)
        #expect(instance.splitBrain.peer == "192.0.2.2")
        #expect(instance.splitBrain.episodes == 1)
        #expect(instance.splitBrain.adverts == 5)
        #expect(instance.state == "MASTER")
        let begun = store.all.filter { $0.contains("split brain with 192.0.2.2:") }
        #expect(begun.count == 1, "\(store.all)")
        #expect(begun.first?.hasPrefix("warning") == true)
        #expect(begun.first?.contains("vrrp.instance=VI_1") == true)

        // Quiet for longer than two Master_Down_Intervals: the episode ends, logged once.
        clock.advance(by: FailoverEngine<ManualClock>.conflictQuietPeriod(E.instance().router) + .milliseconds(100))
        instance = try #require(await engine.snapshot().instances.first)
        #expect(!instance.splitBrain.active)
        #expect(instance.splitBrain.peer == nil)
        #expect(instance.splitBrain.episodes == 1)
        #expect(store.all.filter { $0.contains("split brain with 192.0.2.2 over") }.count == 1, "\(store.all)")

        // The next advert from another master begins a second episode.
        await engine.receive(E.advert(priority: 100))
        instance = try #require(await engine.snapshot().instances.first)
        #expect(instance.splitBrain.episodes == 2)
        #expect(instance.splitBrain.active)

        let metrics = String(decoding: FailoverMetrics().render(snapshot: await engine.snapshot(), scripts: [],
                                                                notify: NotifyDispatcher.Statistics()), as: UTF8.self)
        #expect(metrics.contains(#"ipfailover_split_brain_episodes_total{iname="VI_1",intf="eth0",vrid="51"} 2"#), "\(metrics)")
        #expect(metrics.contains(#"ipfailover_split_brain_active{iname="VI_1",intf="eth0",vrid="51"} 1"#))
        #expect(metrics.contains(#"ipfailover_vrid_collisions_total{iname="VI_1",intf="eth0",vrid="51"} 0"#))
    }

    @Test("VRID-collision episode rule: adverts for our VRID with another address list are counted apart from split brain")
    func vridCollisionIsCountedApart() async throws {
        let ports = RecordingPorts(), clock = ManualClock(), store = RecordingLogHandler.Store()
        let engine = await Self.masterEngine(store, ports: ports, clock: clock)
        let other = Advertisement(version: .v3, virtualRouterID: VirtualRouterID(51)!, priority: Priority(200),
                                  advertisementInterval: .milliseconds(100), addresses: [IPAddress("203.0.113.5")!, IPAddress("203.0.113.6")!])
        let destination = IPAddress.v4(.vrrpMulticastGroup)
        let source = IPAddress("192.0.2.30")!
        for _ in 0..<3 {
            await engine.receive(InboundPacket(interface: "eth0", packet: ReceivedPacket(
                payload: other.encode(source: source, destination: destination), source: source,
                destination: destination, ttlOrHopLimit: 255)))
        }
        let instance = try #require(await engine.snapshot().instances.first)
        #expect(instance.vridCollision.episodes == 1)
        #expect(instance.vridCollision.peer == "192.0.2.30")
        #expect(instance.splitBrain.episodes == 0)
        #expect(instance.state == "MASTER", "another address count is dropped, as keepalived does")
        #expect(store.all.filter { $0.contains("VRID collision with 192.0.2.30:") }.count == 1, "\(store.all)")
    }
}
