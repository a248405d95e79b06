import FailoverTestKit
import Logging
import Testing
import VRRPCore
import VRRPWire
@testable import FailoverRuntime

/// Receive-path drops the engine counts and exports: oversized packets, kernel
/// receive-queue overflows, and adverts with another address count.
@Suite struct ReceiveAccountingEngineTests {
    typealias E = FailoverEngineTests

    @Test("A packet longer than the receive buffer is counted as packet_len_err, in /status and /metrics")
    func truncatedPacketIsAPacketLengthError() async {
        let ports = RecordingPorts(), clock = ManualClock()
        let engine = E.engine([E.instance()], ports: ports, clock: clock)
        await engine.start()
        var inbound = E.advert(priority: 200)
        inbound.isTruncated = true
        await engine.receive(inbound)
        let snapshot = await engine.snapshot()
        #expect(snapshot.nodeCounters["packet_len_err"] == 1)
        #expect(snapshot.instances[0].counters["advert_rcvd"] == 0, "the cut packet is not processed")
        let metrics = String(decoding: FailoverMetrics().render(snapshot: snapshot, scripts: [], notify: .init()), as: UTF8.self)
        #expect(metrics.contains(#"ipfailover_dropped_packets_total{reason="packet_len_err"} 1"#), "\(metrics)")
    }

    @Test("The kernel's receive-queue drops (SO_RXQ_OVFL) reported with packets are exported per node, zero from the start")
    func socketQueueDropsAreExported() async {
        let ports = RecordingPorts(), clock = ManualClock()
        let engine = E.engine([E.instance()], ports: ports, clock: clock)
        await engine.start()
        #expect(await engine.snapshot().nodeCounters["socket_queue_dropped"] == 0)
        var inbound = E.advert(priority: 200)
        inbound.receiveQueueDrops = 40
        var batch = [inbound]
        inbound.receiveQueueDrops = 57  // cumulative per socket: 17 more
        batch.append(inbound)
        inbound.receiveQueueDrops = 3  // a socket opened again counts from zero
        batch.append(inbound)
        await engine.receive(batch)
        let snapshot = await engine.snapshot()
        #expect(snapshot.nodeCounters["socket_queue_dropped"] == 60)
        let metrics = String(decoding: FailoverMetrics().render(snapshot: snapshot, scripts: [], notify: .init()), as: UTF8.self)
        #expect(metrics.contains(#"ipfailover_dropped_packets_total{reason="socket_queue_dropped"} 60"#), "\(metrics)")
    }

    @Test("keepalived 2.2.7 address-count rule on the wire: a Count=0 advert of higher priority leaves the master MASTER, counted as addr_list_err")
    func countZeroAdvertLeavesTheMasterInPlace() async {
        let ports = RecordingPorts(), clock = ManualClock()
        let engine = E.engine([E.instance(priority: 255, state: .master)], ports: ports, clock: clock)
        await engine.start()
        let advert = Advertisement(version: .v3, virtualRouterID: VirtualRouterID(51)!, priority: Priority(255),
                                   advertisementInterval: .milliseconds(100), addresses: [])
        let group = IPAddress.v4(.vrrpMulticastGroup)
        await engine.receive(InboundPacket(interface: "eth0", packet: ReceivedPacket(
            payload: advert.encode(source: E.peer, destination: group), source: E.peer, destination: group, ttlOrHopLimit: 255)))
        let snapshot = await engine.snapshot()
        #expect(snapshot.instances[0].state == "MASTER")
        #expect(snapshot.instances[0].counters["addr_list_err"] == 1)
        #expect(!ports.calls.contains { if case .removeAddress = $0 { true } else { false } })
    }

    @Test("RFC 5798 §7.1 checks on repeats: a master's unchanged advert is decoded once, and changed bytes, another sender or a broken checksum are decoded and checked afresh")
    func repeatedAdvertIsDecodedOnce() async {
        let ports = RecordingPorts(), clock = ManualClock()
        let engine = E.engine([E.instance()], ports: ports, clock: clock)
        await engine.start()
        let advert = E.advert(priority: 200)
        await engine.receive([advert, advert, advert])
        #expect(await engine.intake.decodes == 1)

        // The same VRID, one byte changed: the checksum no longer matches.
        var broken = advert
        broken.packet.payload[6] ^= 0xFF
        // The same bytes from another sender: the VRRPv3 checksum covers the source.
        var elsewhere = advert
        elsewhere.packet.source = IPAddress("192.0.2.3")!
        let higher = E.advert(priority: 210)
        await engine.receive([broken, elsewhere, higher, higher, advert])
        #expect(await engine.intake.decodes == 5, "broken, elsewhere, higher, and advert again after higher")
        let snapshot = await engine.snapshot()
        #expect(snapshot.nodeCounters["chk_err"] == 2)
        #expect(snapshot.instances[0].counters["advert_rcvd"] == 6)
        #expect(snapshot.instances[0].state == "BACKUP")
    }

    @Test("An advert reaches the instance of its VRID: a sync group's member by its name, a lone instance directly, no other")
    func advertReachesItsInstanceInAGroupOrAlone() async {
        let ports = RecordingPorts(), clock = ManualClock()
        let plan = RuntimePlan(
            instances: [E.instance("VI_A", vrid: 51), E.instance("VI_B", vrid: 52), E.instance("VI_C", vrid: 53)],
            syncGroups: [RuntimeSyncGroup(name: "G", members: ["VI_A", "VI_B"])])
        let engine = FailoverEngine(plan: plan, ports: ports.enginePorts, clock: clock, logger: Logger(label: "test"))
        await engine.start()
        await engine.receive(E.advert(vrid: 52, priority: 200))
        #expect(await advertsReceived(engine) == ["VI_A": 0, "VI_B": 1, "VI_C": 0])
        await engine.receive([E.advert(vrid: 53, priority: 200), E.advert(vrid: 51, priority: 200)])
        #expect(await advertsReceived(engine) == ["VI_A": 1, "VI_B": 1, "VI_C": 1])
    }

    @Test("An advert goes to the instance of its interface: the same VRID on two interfaces is two instances")
    func sameVRIDOnTwoInterfacesIsTwoInstances() async {
        let ports = RecordingPorts(), clock = ManualClock()
        var second = E.instance("VI_2", vrid: 51)
        second.interface = "eth1"
        let engine = E.engine([E.instance("VI_1", vrid: 51), second], ports: ports, clock: clock)
        await engine.start()
        var onSecond = E.advert(vrid: 51, priority: 200)
        onSecond.interface = "eth1"
        await engine.receive([onSecond, onSecond])
        await engine.receive(E.advert(vrid: 51, priority: 200))
        #expect(await advertsReceived(engine) == ["VI_1": 1, "VI_2": 2])
    }

    @Test("A stranger's advert refused as unicast_peer_err leaves the peer's next advert for the same VRID to be decoded and delivered")
    func advertRefusedAfterDecodingDoesNotStandInForTheNext() async {
        let ports = RecordingPorts(), clock = ManualClock()
        let engine = E.engine([E.instance(unicastPeers: [E.peer])], ports: ports, clock: clock)
        await engine.start()
        func unicast(from source: IPAddress, priority: Priority) -> InboundPacket {
            let a = Advertisement(version: .v3, virtualRouterID: VirtualRouterID(51)!, priority: priority,
                                  advertisementInterval: .milliseconds(100), addresses: [E.vip])
            return InboundPacket(interface: "eth0", packet: ReceivedPacket(
                payload: a.encode(source: source, destination: E.node), source: source, destination: E.node, ttlOrHopLimit: 255))
        }
        await engine.receive([unicast(from: IPAddress("192.0.2.9")!, priority: Priority(200)), unicast(from: E.peer, priority: .release)])
        let snapshot = await engine.snapshot()
        #expect(snapshot.instances[0].counters["unicast_peer_err"] == 1)
        #expect(snapshot.instances[0].counters["advert_rcvd"] == 1)
        #expect(snapshot.instances[0].counters["pri_zero_rcvd"] == 1, "the peer's release, not the stranger's advert")
        #expect(await engine.intake.decodes == 2)
    }

    /// Each instance's `advert_rcvd`, by name.
    private func advertsReceived(_ engine: FailoverEngine<ManualClock>) async -> [String: UInt64] {
        Dictionary(uniqueKeysWithValues: await engine.snapshot().instances.map { ($0.name, $0.counters["advert_rcvd"] ?? 0) })
    }
}
