// Events per second through VRRPCore with 255 virtual routers (one per VRID).
// Not a test: timings vary by machine. Run with
//   swift run -c release CoreBenchmark
import FailoverRuntime
import FailoverTestKit
import Logging
import VRRPCore
import VRRPWire

let instanceCount = 255
let clock = ContinuousClock()

func configuration(_ id: Int, priority: UInt8, address: String) -> VirtualRouterConfiguration {
    VirtualRouterConfiguration(
        name: "VI_\(id)", virtualRouterID: VirtualRouterID(id)!, version: .v3, priority: Priority(priority),
        advertisementInterval: .seconds(1), primaryAddress: IPAddress(address)!,
        virtualAddresses: [IPAddress("198.51.100.\(id % 256)")!],
        trackedScripts: [TrackedScript(name: "chk")],
        trackedInterfaces: [TrackedInterface(name: "eth0")])
}

func startedRouters(priority: UInt8) -> [VirtualRouter] {
    (1...instanceCount).map { id in
        var r = VirtualRouter(configuration: configuration(id, priority: priority, address: "192.0.2.1"))
        _ = r.start(now: .zero)
        _ = r.checkResult(script: "chk", succeeded: true, now: .zero)
        return r
    }
}

/// Runs `body` (which returns how many events it fed) and prints events/second.
func measure(_ name: String, _ body: () -> Int) {
    var events = 0
    let elapsed = clock.measure { events = body() }
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    let rate = Double(events) / seconds
    print("\(name): \(events) events in \(elapsed) -> \(Int(rate)) events/s (\(Int(1e9 / rate)) ns/event)")
}

var sink = 0

/// Feeds `event` to every router once per round, one virtual second apart; returns the event count.
@MainActor
func feed(_ routers: inout [VirtualRouter], rounds: Int, _ event: (inout VirtualRouter, Int, Int, VRRPInstant) -> [VirtualRouterAction]) -> Int {
    for round in 1...rounds {
        let now = VRRPInstant(offset: .seconds(Int64(round)))
        for i in routers.indices { sink &+= event(&routers[i], i, round, now).count }
    }
    return rounds * routers.count
}

let adverts = (1...instanceCount).map {
    Advertisement(version: .v3, virtualRouterID: VirtualRouterID($0)!, priority: Priority(150),
                  advertisementInterval: .seconds(1), addresses: [IPAddress("198.51.100.\($0 % 256)")!])
}
let peer = IPAddress("192.0.2.2")!

measure("backup: advert received (255 instances)") {
    var routers = startedRouters(priority: 100)
    return feed(&routers, rounds: 2_000) { r, i, _, now in r.advertisementReceived(adverts[i], from: peer, now: now) }
}

measure("master: advertisement timer (255 instances)") {
    var routers = startedRouters(priority: 255)
    return feed(&routers, rounds: 2_000) { r, _, _, now in r.deadlineReached(now: now) }
}

measure("steady check results (255 instances)") {
    var routers = startedRouters(priority: 100)
    return feed(&routers, rounds: 2_000) { r, _, _, now in r.checkResult(script: "chk", succeeded: true, now: now) }
}

measure("failover churn: FAULT and back on a master (255 instances)") {
    var routers = startedRouters(priority: 255)
    return feed(&routers, rounds: 500) { r, _, round, now in r.checkResult(script: "chk", succeeded: round % 2 == 0, now: now) }
}

measure("simulated segment: 3 nodes x 255 instances, 120 s virtual") {
    var sim = SimulatedSegment(seed: 7)
    for n in 0..<3 {
        let address = "192.0.2.\(10 + n)"
        sim.addNode(name: "n\(n)", address: IPAddress(address)!,
                    instances: (1...instanceCount).map { configuration($0, priority: UInt8(100 + 50 * n), address: address) })
    }
    sim.startAll()
    sim.run(for: .seconds(60))
    sim.crash(node: 2)
    sim.run(for: .seconds(60))
    // Includes the simulator's own bookkeeping (event queue, trace), so this is the
    // throughput of the test kit, not of the core alone.
    return sim.coreEventCount
}

// The engine's receive path on top of the core: decoding, routing, the deadline heap,
// as the daemon's engine thread calls it — on the engine's own executor, with no hop
// per batch — in batches of 25 (a 255-instance backup at 0.1 s receives 2,550 adverts
// a second and reads its socket about every 10 ms). Ports are recording fakes; a
// backup acts on nothing.
let engineInstances = (1...instanceCount).map { id in
    RuntimeInstance(router: VirtualRouterConfiguration(
        name: "VI_\(id)", virtualRouterID: VirtualRouterID(id)!, version: .v3, priority: Priority(100),
        advertisementInterval: .milliseconds(100), primaryAddress: IPAddress("192.0.2.1")!,
        virtualAddresses: [IPAddress("198.51.100.\(id % 256)")!]),
        interface: "eth0", destinations: [.v4(.vrrpMulticastGroup)])
}
let group = IPAddress.v4(.vrrpMulticastGroup)
let packets = adverts.map {
    InboundPacket(interface: "eth0", packet: ReceivedPacket(payload: $0.encode(source: peer, destination: group),
                                                            source: peer, destination: group, ttlOrHopLimit: 255))
}
let batches = stride(from: 0, to: packets.count, by: 25).map { Array(packets[$0..<min($0 + 25, packets.count)]) }
let engine = FailoverEngine(plan: RuntimePlan(instances: engineInstances), ports: RecordingPorts().enginePorts,
                            clock: ContinuousClock(), logger: Logger(label: "bench"))
await engine.start()

/// Feeds every batch `rounds` times on the engine's executor; returns the time taken.
func feedEngine(_ engine: isolated FailoverEngine<ContinuousClock>, rounds: Int) -> Duration {
    clock.measure {
        for _ in 0..<rounds {
            for batch in batches { engine.receive(batch) }
        }
    }
}
let rounds = 2_000
let elapsed = await feedEngine(engine, rounds: rounds)
let nanoseconds = elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000
let perPacket = Double(nanoseconds) / Double(rounds * packets.count)
print("engine: adverts received by a 255-instance backup, batches of 25 on the engine's executor: \(Int(perPacket)) ns/packet")
await engine.shutdown()

print("(sink \(sink))")
