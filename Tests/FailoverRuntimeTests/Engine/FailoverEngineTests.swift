import FailoverTestKit
import Logging
import Testing
import VRRPCore
import VRRPWire
@testable import FailoverRuntime

/// The engine with recording fakes and a manual clock: action execution order,
/// timers, receive-path rejections and reload.
@Suite struct FailoverEngineTests {
    static let node = IPAddress("192.0.2.1")!
    static let peer = IPAddress("192.0.2.2")!
    static let vip = IPAddress("198.51.100.10")!

    static func instance(_ name: String = "VI_1", vrid: UInt8 = 51, priority: UInt8 = 100,
                         state: VirtualRouterConfiguration.InitialState = .backup,
                         unicastPeers: [IPAddress] = [], vips: [IPAddress] = [vip],
                         scripts: [TrackedScript] = []) -> RuntimeInstance {
        let router = VirtualRouterConfiguration(
            name: name, virtualRouterID: VirtualRouterID(vrid)!, version: .v3, priority: Priority(priority),
            advertisementInterval: .milliseconds(100), primaryAddress: node, virtualAddresses: vips,
            initialState: state, trackedScripts: scripts)
        return RuntimeInstance(router: router, interface: "eth0",
                               destinations: unicastPeers.isEmpty ? [.v4(.vrrpMulticastGroup)] : unicastPeers,
                               unicastPeers: unicastPeers, notify: NotifySpec(generic: "/bin/true"))
    }

    static func engine(_ instances: [RuntimeInstance], ports: RecordingPorts, clock: ManualClock) -> FailoverEngine<ManualClock> {
        FailoverEngine(plan: RuntimePlan(instances: instances), ports: ports.enginePorts, clock: clock,
                       logger: Logger(label: "test"))
    }

    static func advert(from source: IPAddress = peer, vrid: UInt8 = 51, priority: UInt8, ttl: UInt8 = 255,
                       interval: Duration = .milliseconds(100)) -> InboundPacket {
        let a = Advertisement(version: .v3, virtualRouterID: VirtualRouterID(vrid)!, priority: Priority(priority),
                              advertisementInterval: interval, addresses: [vip])
        let destination = IPAddress.v4(.vrrpMulticastGroup)
        return InboundPacket(interface: "eth0", packet: ReceivedPacket(
            payload: a.encode(source: source, destination: destination), source: source,
            destination: destination, ttlOrHopLimit: ttl))
    }

    @Test func addressOwnerAddsVirtualAddressesBeforeAnnouncingThem() async {
        let ports = RecordingPorts(), clock = ManualClock()
        let engine = Self.engine([Self.instance(priority: 255, state: .master)], ports: ports, clock: clock)
        await engine.start()
        let calls = ports.calls
        let add = calls.firstIndex { if case .addAddress = $0 { true } else { false } }
        let announce = calls.firstIndex { if case .announce = $0 { true } else { false } }
        #expect(add != nil && announce != nil)
        #expect(add! < announce!)
        #expect(calls.contains(.notify(NotifyEvent(scope: .instance, name: "VI_1", state: .master, priority: 255))))
    }

    @Test("Start-up rehearses each instance's takeover through the ports — advert, add path, announcement of what the add path reports — with no real call and no address request")
    func startRehearsesTheTakeoverPathWithoutEffect() async {
        let ports = RecordingPorts(), clock = ManualClock()
        let engine = Self.engine([Self.instance(), Self.instance("VI_2", vrid: 52, vips: [IPAddress("198.51.100.20")!])],
                                 ports: ports, clock: clock)
        await engine.start()
        await engine.addressChangesSettled()
        let rehearsed = ports.rehearsals
        #expect(Set(rehearsed.adds.flatMap { $0.map(\.address) }) == [Self.vip, IPAddress("198.51.100.20")!])
        #expect(Set(rehearsed.sends.map(\.virtualRouterID.rawValue)) == [51, 52])
        #expect(rehearsed.sends.allSatisfy { $0.priority == Priority(100) })
        #expect(Set(rehearsed.announcements.flatMap { $0.map(\.address) }) == [Self.vip, IPAddress("198.51.100.20")!])
        #expect(rehearsed.announcements.count == 2)
        #expect(ports.calls.allSatisfy { if case .notify = $0 { true } else { false } }, "only the BACKUP notifies: \(ports.calls)")
    }

    @Test func backupTakesOverWhenTheMasterDownTimerFires() async {
        let ports = RecordingPorts(), clock = ManualClock()
        let engine = Self.engine([Self.instance()], ports: ports, clock: clock)
        await engine.start()
        #expect(ports.calls == [.notify(NotifyEvent(scope: .instance, name: "VI_1", state: .backup, priority: 100))])
        await clock.waitForSleepers(1)
        // v3, 100 ms adverts, priority 100: 3 × 100 ms + (156 × 100 ms)/256 ≈ 361 ms.
        clock.advance(by: .milliseconds(400))
        await ports.wait { $0.contains(.notify(NotifyEvent(scope: .instance, name: "VI_1", state: .master, priority: 100))) }
        #expect(ports.calls.contains { if case .addAddress(let s) = $0 { s.address == Self.vip } else { false } })
        // RFC 5798 §6.4.2: the advert goes out first, then the addresses and their announcement.
        let calls = ports.calls
        let advert = calls.firstIndex { if case .send = $0 { true } else { false } }
        let add = calls.firstIndex { if case .addAddress = $0 { true } else { false } }
        #expect(advert != nil && add != nil && advert! < add!)
    }

    /// The adverts of all the masters due at one tick reach the sender as one batch
    /// (one `sendmmsg` in the daemon), not one call each.
    @Test func advertsDueInOneTickLeaveInOneBatch() async {
        let ports = RecordingPorts(), clock = ManualClock()
        let instances = (0..<3).map { i in
            Self.instance("VI_\(i)", vrid: 51 + UInt8(i), priority: 255, state: .master,
                          vips: [IPAddress("198.51.100.\(20 + i)")!])
        }
        let engine = Self.engine(instances, ports: ports, clock: clock)
        await engine.start()
        await clock.waitForSleepers(1)
        ports.reset()
        clock.advance(by: .milliseconds(100))
        await ports.wait { $0.filter { if case .send = $0 { true } else { false } }.count == 3 }
        #expect(ports.sendBatches == [3])
        _ = engine
    }

    @Test func shutdownOfAMasterSendsPriorityZeroBeforeRemovingAddresses() async {
        let ports = RecordingPorts(), clock = ManualClock()
        let engine = Self.engine([Self.instance(priority: 255, state: .master)], ports: ports, clock: clock)
        await engine.start()
        ports.reset()
        await engine.shutdown()
        let calls = ports.calls
        let zero = calls.firstIndex(where: \.isPriorityZeroAdvert)
        let remove = calls.firstIndex { if case .removeAddress = $0 { true } else { false } }
        #expect(zero != nil && remove != nil)
        #expect(zero! < remove!)
        #expect(calls.last == .notify(NotifyEvent(scope: .instance, name: "VI_1", state: .stop, priority: 255)))
    }

    @Test func packetWithTTLOtherThan255IsCountedAndIgnored() async {
        let ports = RecordingPorts(), clock = ManualClock()
        let engine = Self.engine([Self.instance(priority: 255, state: .master)], ports: ports, clock: clock)
        await engine.start()
        ports.reset()
        await engine.receive(Self.advert(priority: 254, ttl: 64))
        #expect(ports.calls.isEmpty)
        #expect(await engine.snapshot().nodeCounters["ip_ttl_err"] == 1)
    }

    @Test func unicastAdvertFromANonPeerIsRejectedAndCounted() async {
        let ports = RecordingPorts(), clock = ManualClock()
        let stranger = IPAddress("192.0.2.99")!
        let engine = Self.engine([Self.instance(unicastPeers: [Self.peer])], ports: ports, clock: clock)
        await engine.start()
        await engine.receive(Self.advert(from: stranger, priority: 0))
        let snapshot = await engine.snapshot()
        #expect(snapshot.instances[0].counters["unicast_peer_err"] == 1)
        #expect(snapshot.instances[0].counters["pri_zero_rcvd"] == 0)
    }

    @Test func everyExportedCounterIsInTheStatusFromTheStartAtZero() async {
        // A counter that appears only once it counts cannot be told from a missing
        // one; /metrics exports all of them from the start.
        let engine = Self.engine([Self.instance()], ports: RecordingPorts(), clock: ManualClock())
        await engine.start()
        let counters = await engine.snapshot().instances[0].counters
        for name in FailoverMetrics.instanceCounterNames {
            #expect(counters[name] == 0, "\(name)")
        }
        #expect(counters["unicast_peer_err"] == 0)
    }

    @Test func advertForAnUnknownVRIDIsCountedUnderTheNode() async {
        let ports = RecordingPorts(), clock = ManualClock()
        let engine = Self.engine([Self.instance()], ports: ports, clock: clock)
        await engine.start()
        await engine.receive(Self.advert(vrid: 77, priority: 100))
        #expect(await engine.snapshot().nodeCounters["vrid_err"] == 1)
    }

    @Test func masterAnswersALowerPriorityAdvertAtOnce() async {
        let ports = RecordingPorts(), clock = ManualClock()
        let engine = Self.engine([Self.instance(priority: 255, state: .master)], ports: ports, clock: clock)
        await engine.start()
        ports.reset()
        await engine.receive(Self.advert(priority: 100))
        #expect(ports.calls.contains { if case .send(let a, _, _) = $0 { a.priority == Priority(255) } else { false } })
    }

    @Test func reloadKeepsAnUnchangedInstanceUntouched() async {
        let ports = RecordingPorts(), clock = ManualClock()
        let a = Self.instance("VI_A", vrid: 51, priority: 255, state: .master)
        let b = Self.instance("VI_B", vrid: 52, priority: 100, vips: [IPAddress("198.51.100.20")!])
        let engine = Self.engine([a, b], ports: ports, clock: clock)
        await engine.start()
        ports.reset()
        var changedB = b
        changedB.router.priority = Priority(150)
        let summary = await engine.reload(RuntimePlan(instances: [a, changedB]))
        #expect(summary.unchanged == ["VI_A"])
        #expect(summary.restarted == ["VI_B"])
        let touchedA = ports.calls.filter {
            switch $0 {
            case .notify(let n): n.name == "VI_A"
            case .addAddress(let s), .removeAddress(let s): s.address == Self.vip
            case .send(let adv, _, _): adv.virtualRouterID.rawValue == 51
            case .announce, .announceFirstRound: true
            }
        }
        #expect(touchedA.isEmpty)
        let snapshot = await engine.snapshot()
        #expect(snapshot.instances.map(\.state) == ["MASTER", "BACKUP"])
        #expect(snapshot.instances[1].basePriority == 150)
    }

    @Test("An instance a reload restarts while its link is down starts in FAULT, and never takes over there")
    func reloadedInstanceOnADownLinkStaysInFault() async {
        let ports = RecordingPorts(), clock = ManualClock()
        var tracked = Self.instance()
        tracked.router.trackedInterfaces = [TrackedInterface(name: "eth0")]
        let engine = Self.engine([tracked], ports: ports, clock: clock)
        await engine.start()
        await engine.interfaceChanged(name: "eth0", up: false)
        #expect(await engine.snapshot().instances[0].state == "FAULT")
        var changed = tracked
        changed.router.priority = Priority(150)
        ports.reset()
        let summary = await engine.reload(RuntimePlan(instances: [changed]))
        #expect(summary.restarted == ["VI_1"])
        #expect(await engine.snapshot().instances[0].state == "FAULT")
        clock.advance(by: .seconds(1))
        #expect(await engine.snapshot().instances[0].state == "FAULT")
        #expect(!ports.calls.contains { if case .addAddress = $0 { true } else { false } }, "\(ports.calls)")
        // The link comes back: the restarted instance follows it as usual.
        await engine.interfaceChanged(name: "eth0", up: true)
        #expect(await engine.snapshot().instances[0].state == "BACKUP")
    }

    @Test func reloadThatRemovesAMasterReleasesItsAddresses() async {
        let ports = RecordingPorts(), clock = ManualClock()
        let a = Self.instance("VI_A", priority: 255, state: .master)
        let engine = Self.engine([a], ports: ports, clock: clock)
        await engine.start()
        ports.reset()
        let summary = await engine.reload(RuntimePlan(instances: []))
        #expect(summary.removed == ["VI_A"])
        #expect(ports.calls.contains { $0.isPriorityZeroAdvert })
        #expect(ports.calls.contains { if case .removeAddress = $0 { true } else { false } })
    }

    @Test func weightZeroCheckFailureOnTheMasterReleasesThenEntersFault() async {
        let ports = RecordingPorts(), clock = ManualClock()
        let engine = Self.engine([Self.instance(priority: 255, state: .master, scripts: [TrackedScript(name: "chk")])],
                                 ports: ports, clock: clock)
        await engine.start()
        await engine.checkResult(script: "chk", succeeded: true)
        ports.reset()
        await engine.checkResult(script: "chk", succeeded: false)
        let calls = ports.calls
        let zero = calls.firstIndex(where: \.isPriorityZeroAdvert)
        let remove = calls.firstIndex { if case .removeAddress = $0 { true } else { false } }
        let fault = calls.firstIndex(of: .notify(NotifyEvent(scope: .instance, name: "VI_1", state: .fault, priority: 255)))
        #expect(zero != nil && remove != nil && fault != nil)
        #expect(zero! < remove! && remove! < fault!)
        #expect(await engine.snapshot().instances[0].state == "FAULT")
    }
}

extension FailoverEngineTests {
    /// keepalived sends IPv6 unicast adverts with hop limit 64 and checks no TTL on
    /// unicast (keepalived #941); unicast peers are checked by address instead.
    @Test func unicastAdvertFromAPeerIsAcceptedWhateverItsTTL() async {
        let ports = RecordingPorts(), clock = ManualClock()
        let engine = Self.engine([Self.instance(unicastPeers: [Self.peer])], ports: ports, clock: clock)
        await engine.start()
        let a = Advertisement(version: .v3, virtualRouterID: VirtualRouterID(51)!, priority: .release,
                              advertisementInterval: .milliseconds(100), addresses: [Self.vip])
        await engine.receive(InboundPacket(interface: "eth0", packet: ReceivedPacket(
            payload: a.encode(source: Self.peer, destination: Self.node), source: Self.peer,
            destination: Self.node, ttlOrHopLimit: 64)))
        let snapshot = await engine.snapshot()
        #expect(snapshot.instances[0].counters["pri_zero_rcvd"] == 1)
        #expect(snapshot.nodeCounters["ip_ttl_err"] == nil)
    }
}

extension FailoverEngineTests {
    @Test func transitionLogLineNamesTheFailedCheckWithItsDetail() async {
        let ports = RecordingPorts(), clock = ManualClock(), store = RecordingLogHandler.Store()
        let engine = FailoverEngine(
            plan: RuntimePlan(instances: [Self.instance(priority: 255, state: .master, scripts: [TrackedScript(name: "chk_x")])]),
            ports: ports.enginePorts, clock: clock, logger: RecordingLogHandler.logger(store))
        await engine.start()
        await engine.checkResult(script: "chk_x", succeeded: true)
        await engine.checkResult(script: "chk_x", succeeded: false, detail: "chk_x: failed with exit 1 after 3 ms; stderr: no backend")
        let line = store.all.first { $0.contains("→ FAULT") } ?? ""
        #expect(line.contains("tracked script chk_x failed: chk_x: failed with exit 1 after 3 ms; stderr: no backend"), "\(store.all)")
        #expect(line.contains("vrrp.instance=VI_1"))
        #expect(line.contains("vrrp.vrid=51"))
    }
}

extension FailoverEngineTests {
    @Test func excludedAddressesAreAddedAndAnnouncedWithTheVIPs() async {
        let ports = RecordingPorts(), clock = ManualClock()
        var instance = Self.instance(priority: 255, state: .master)
        let excluded = VirtualAddressSpec(address: IPAddress("2001:db8:100::7")!, interface: "eth0")
        instance.excludedAddresses = [excluded]
        let engine = Self.engine([instance], ports: ports, clock: clock)
        await engine.start()
        #expect(ports.calls.contains(.addAddress(excluded)))
        #expect(ports.calls.contains { if case .announce(let specs, _) = $0 { specs.contains(excluded) } else { false } })
    }
}

extension FailoverEngineTests {
    /// A MASTER-at-start instance with `count` VIPs, started on ports that report
    /// adds in 64-address parts (the netlink window).
    static func masterStarted(withVIPs count: Int) async -> (RecordingPorts, [IPAddress]) {
        let ports = RecordingPorts(appliedPartSize: 64), clock = ManualClock()
        let vips = (1...count).map { IPAddress.v4(IPv4Address(198, 51, 100, UInt8($0))) }
        let engine = Self.engine([Self.instance(priority: 255, state: .master, vips: vips)], ports: ports, clock: clock)
        await engine.start()
        return (ports, vips)
    }

    @Test("A takeover announces each part of a large group as soon as it is added: the first part at once, later parts in the background, then the rest of the schedule")
    func largeGroupIsAnnouncedPartByPartAsItIsAdded() async {
        let (ports, vips) = await Self.masterStarted(withVIPs: 150)
        // The log, reduced to adds (a count per run) and announcements, in order.
        var shape: [String] = []
        for call in ports.calls {
            switch call {
            case .addAddress:
                if let last = shape.last, last.hasPrefix("add ") { shape[shape.count - 1] = "add \(Int(last.dropFirst(4))! + 1)" }
                else { shape.append("add 1") }
            case .announceFirstRound(let specs, let background): shape.append("first round \(specs.count)\(background ? " bg" : "")")
            case .announce(let specs, let schedule): shape.append("announce \(specs.count) repeat \(schedule.repeat)")
            default: break
            }
        }
        #expect(shape == ["add 64", "first round 64", "add 64", "first round 64 bg", "add 22", "first round 22 bg",
                          "announce 150 repeat 5"], "\(shape)")
        let announced = ports.calls.flatMap { call -> [IPAddress] in
            if case .announceFirstRound(let specs, _) = call { specs.map(\.address) } else { [] }
        }
        #expect(announced == vips, "every VIP once in the first round, in order")
    }

    @Test("A group that fits one netlink window is added, then announced once with the whole schedule")
    func smallGroupIsAddedThenAnnounced() async {
        let (ports, vips) = await Self.masterStarted(withVIPs: 3)
        let relevant = ports.calls.filter {
            switch $0 {
            case .addAddress, .announce, .announceFirstRound: true
            default: false
            }
        }
        let specs = vips.map { VirtualAddressSpec(address: $0, interface: "eth0") }
        #expect(relevant == specs.map(PortCall.addAddress) + [.announce(specs, AnnounceSchedule(repeat: 5, secondBurstAfter: .seconds(5)))],
                "\(relevant)")
    }
}
