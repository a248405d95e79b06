import FailoverTestKit
import SeededRandom
import Testing
import VRRPCore
import VRRPWire

/// Properties over random fault schedules. Every failure names its seed; rerun one
/// with `checkElectionProperties(seed:)` (see `replayOneSeed`).
@Suite("Properties over random fault schedules")
struct FaultScheduleProperties {
    /// 300 seeds in six chunks so Swift Testing spreads them over the cores.
    static let seedChunks: [ClosedRange<UInt64>] = (0..<6).map { UInt64($0 * 50 + 1)...UInt64($0 * 50 + 50) }

    @Test("after faults stop and a quiet period, every VRID has the one master the rules choose", arguments: seedChunks)
    func electionProperties(seeds: ClosedRange<UInt64>) {
        check(seeds, replay: "checkElectionProperties(seed: %)", scenario: { RandomScenario(seed: $0) }) {
            checkElectionProperties(seed: $0)
        }
    }

    @Test("sync groups: after faults stop, members of one node are MASTER together and each VRID has one master",
          arguments: [UInt64(2_000)...2_039, 2_040...2_079])
    func syncGroupProperties(seeds: ClosedRange<UInt64>) {
        check(seeds, replay: "checkElectionProperties(seed: %, syncGroups: true)",
              scenario: { RandomScenario(seed: $0, preemptionOptions: false, syncGroups: true) }) {
            checkElectionProperties(seed: $0, syncGroups: true)
        }
    }

    @Test("replay one seed", arguments: [UInt64(42)])
    func replayOneSeed(seed: UInt64) {
        let problems = checkElectionProperties(seed: seed)
        #expect(problems.isEmpty, "\(problems)")
    }

    @Test("partitions: each side elects its own master; after heal exactly one remains and it announced itself",
          arguments: [UInt64(1_000)...1_049, 1_050...1_099, 1_100...1_149])
    func partitionProperties(seeds: ClosedRange<UInt64>) {
        check(seeds, replay: "checkPartitionProperties(seed: %)",
              scenario: { RandomScenario(seed: $0, preemptionOptions: false, faults: false) }) {
            checkPartitionProperties(seed: $0)
        }
    }

    /// Runs `property` for each seed; records the first failing seed with its scenario and stops.
    func check(_ seeds: ClosedRange<UInt64>, replay: String, scenario: (UInt64) -> RandomScenario,
               _ property: (UInt64) -> [String]) {
        for seed in seeds {
            let problems = property(seed)
            guard problems.isEmpty else {
                let call = replay.split(separator: "%", omittingEmptySubsequences: false).joined(separator: "\(seed)")
                Issue.record("seed \(seed) (replay with \(call)):\n\(problems.joined(separator: "\n"))\n\(scenario(seed))")
                return
            }
        }
    }
}

/// Returns the violated properties (empty: all hold).
func checkElectionProperties(seed: UInt64, syncGroups: Bool = false) -> [String] {
    let scenario = RandomScenario(seed: seed, preemptionOptions: !syncGroups, syncGroups: syncGroups)
    var sim = scenario.makeSegment()
    sim.startAll()
    sim.run(schedule: scenario.schedule)
    sim.run(until: VRRPInstant(offset: scenario.faultPhase))
    scenario.endFaults(&sim)
    sim.run(for: scenario.settleBound)

    var problems = sim.violations
    for id in scenario.vrids {
        problems += electionProblems(sim, vrid: id, among: Array(sim.nodes.indices))
    }
    problems += notifyProblems(sim)
    if syncGroups {
        for node in sim.nodes where node.isRunning && Set(node.routers.map(\.state)).count != 1 {
            problems.append("\(node.name): sync group members disagree: \(node.routers.map { "\($0.name) \($0.state)" })")
        }
    }
    return problems
}

/// (1) one MASTER among connected non-FAULT nodes, (2) the rules' choice, (3) none FAULT and MASTER.
func electionProblems(_ sim: SimulatedSegment, vrid: VirtualRouterID, among nodes: [Int]) -> [String] {
    var problems: [String] = []
    let routers = nodes.compactMap { n in sim.nodes[n].routers.first { $0.configuration.virtualRouterID == vrid }.map { (n, $0) } }
    let eligible = routers.filter { $0.1.state != .fault }
    let masters = eligible.filter { $0.1.state == .master }
    if eligible.isEmpty { return [] }
    guard masters.count == 1, let (m, master) = masters.first else {
        return ["vrid \(vrid) among \(nodes): \(masters.count) masters: \(routers.map { "n\($0.0) \($0.1.state) p\($0.1.effectivePriority)" })"]
    }
    for (n, backup) in eligible where n != m {
        if backup.state != .backup { problems.append("vrid \(vrid): n\(n) is \(backup.state)") }
        // A higher-priority backup may only stay behind with nopreempt (preempt_delay has expired by now).
        if backup.effectivePriority > master.effectivePriority, !backup.configuration.nopreempt {
            problems.append("vrid \(vrid): n\(n) p\(backup.effectivePriority) is backup under n\(m) p\(master.effectivePriority)")
        }
    }
    return problems
}

/// (4) each router lifetime's notifies are exactly its state changes, without repeats.
func notifyProblems(_ sim: SimulatedSegment) -> [String] {
    var problems: [String] = []
    var lifetimes = Set<String>()
    var keys: [(Int, Int, String)] = []
    for c in sim.stateChanges where lifetimes.insert("\(c.node)/\(c.incarnation)/\(c.instance)").inserted {
        keys.append((c.node, c.incarnation, c.instance))
    }
    for (n, inc, instance) in keys {
        let notified = sim.notifiedStates(node: n, incarnation: inc, instance: instance)
        let observed = sim.observedStates(node: n, incarnation: inc, instance: instance)
        if notified != observed { problems.append("n\(n)#\(inc) \(instance): notified \(notified) observed \(observed)") }
        if zip(notified, notified.dropFirst()).contains(where: ==) { problems.append("n\(n)#\(inc) \(instance): duplicate notify \(notified)") }
    }
    return problems
}

/// (5) partition and heal, without nopreempt/preempt_delay and with healthy checks.
func checkPartitionProperties(seed: UInt64) -> [String] {
    let scenario = RandomScenario(seed: seed, preemptionOptions: false, faults: false)
    var rng = SplitMix64(seed: seed ^ 0xABCD)
    var sim = scenario.makeSegment()
    for n in sim.nodes.indices {
        sim.setCheck(node: n, script: "chk", succeeding: true)
        sim.setCheck(node: n, script: "w", succeeding: rng.chance(0.5))
    }
    sim.startAll()
    sim.run(for: scenario.settleBound)
    let count = sim.nodes.count
    let sideA = Array(0..<Int.random(in: 1..<count, using: &rng))
    let sideB = Array(sideA.count..<count)
    sim.inject(.partition([sideA, sideB]))
    sim.run(for: scenario.settleBound)
    var problems: [String] = []
    var sideMasters: [VirtualRouterID: [(Int, Priority, IPAddress)]] = [:]
    for id in scenario.vrids {
        for side in [sideA, sideB] {
            let p = electionProblems(sim, vrid: id, among: side)
            problems += p.map { "partitioned: \($0)" }
            for m in sim.masters(of: id) where side.contains(m) {
                let r = sim.nodes[m].routers.first { $0.configuration.virtualRouterID == id }!
                sideMasters[id, default: []].append((m, r.effectivePriority, sim.nodes[m].address))
            }
        }
    }
    let healedAt = sim.now
    sim.inject(.heal)
    sim.run(for: scenario.settleBound)
    for id in scenario.vrids {
        problems += electionProblems(sim, vrid: id, among: Array(sim.nodes.indices)).map { "healed: \($0)" }
        let masters = sim.masters(of: id)
        guard masters.count == 1, let winner = masters.first else { continue }
        // Two masters meet: higher priority, then higher address, wins (RFC 5798 §6.4.3).
        if let expected = sideMasters[id]?.max(by: { ($0.1, $0.2) < ($1.1, $1.2) }), expected.0 != winner {
            problems.append("healed vrid \(id): n\(winner) won, rules choose n\(expected.0)")
        }
        let after = sim.trace.filter { $0.node == winner && $0.at >= healedAt && $0.instance == "VI_\(id)" }
        let advertised = after.contains { if case .sendAdvertisement = $0.action { true } else { false } }
        let announced = after.contains { if case .announce = $0.action { true } else { false } }
        if !(advertised && announced) { problems.append("healed vrid \(id): n\(winner) advertised \(advertised) announced \(announced)") }
    }
    problems += notifyProblems(sim) + sim.violations
    return problems
}
