import FailoverTestKit
import SeededRandom
import VRRPCore
import VRRPWire

/// A random cluster and fault schedule, built entirely from one seed.
struct RandomScenario: CustomStringConvertible {
    let seed: UInt64
    var configurations: [[VirtualRouterConfiguration]] = []
    var schedule: [(at: VRRPInstant, fault: SimulationFault)] = []
    var finalChecks: [(node: Int, script: String, succeeding: Bool)] = []
    let vrids: [VirtualRouterID]
    let faultPhase: Duration
    let syncGroups: Bool

    /// - Parameter preemptionOptions: allow nopreempt / preempt_delay.
    /// - Parameter faults: which faults may be scheduled.
    /// - Parameter syncGroups: every node runs two instances as one sync group, with
    ///   one priority per node (a consistent group configuration).
    init(seed: UInt64, preemptionOptions: Bool = true, faults: Bool = true, syncGroups: Bool = false) {
        self.seed = seed
        self.syncGroups = syncGroups
        var rng = SplitMix64(seed: seed)
        let nodeCount = Int.random(in: 2...4, using: &rng)
        let vridCount = syncGroups ? 2 : Int.random(in: 1...2, using: &rng)
        vrids = (0..<vridCount).map { VirtualRouterID(51 + $0)! }
        faultPhase = .seconds(Int64.random(in: 10...40, using: &rng))
        let versions = vrids.map { _ in rng.chance(0.5) ? VRRPVersion.v2 : .v3 }
        let intervals: [Duration] = versions.map {
            $0 == .v2 ? .seconds(1) : [.milliseconds(100), .milliseconds(500), .seconds(1)].randomElement(using: &rng)!
        }
        let ownerNode = rng.chance(0.1) ? Int.random(in: 0..<nodeCount, using: &rng) : nil
        for n in 0..<nodeCount {
            let address = "192.0.2.\(10 + n)"
            var instances: [VirtualRouterConfiguration] = []
            let tracksCheck = rng.chance(0.6)
            let weighted = rng.chance(0.3) ? Int.random(in: -60...60, using: &rng) : 0
            let nodeReverse = rng.chance(0.2)
            let nodePriority: UInt8 = n == ownerNode ? 255 : [100, 150, 200, UInt8.random(in: 1...254, using: &rng)].randomElement(using: &rng)!
            for (v, id) in vrids.enumerated() {
                let priority: UInt8 = syncGroups || n == ownerNode ? nodePriority
                    : [100, 150, 200, UInt8.random(in: 1...254, using: &rng)].randomElement(using: &rng)!
                var scripts: [TrackedScript] = []
                if tracksCheck {
                    scripts.append(TrackedScript(name: "chk", rise: Int.random(in: 1...3, using: &rng),
                                                 fall: Int.random(in: 1...3, using: &rng), initFail: rng.chance(0.2)))
                }
                if weighted != 0 { scripts.append(TrackedScript(name: "w", weight: weighted, reverse: syncGroups ? nodeReverse : rng.chance(0.2))) }
                let nopreempt = preemptionOptions && rng.chance(0.15)
                let delay: Duration = preemptionOptions && rng.chance(0.15) ? .seconds(Int64.random(in: 1...5, using: &rng)) : .zero
                instances.append(VirtualRouterConfiguration(
                    name: "VI_\(id)", virtualRouterID: id, version: versions[v], priority: Priority(priority),
                    advertisementInterval: intervals[v], primaryAddress: IPAddress(address)!,
                    virtualAddresses: [IPAddress("198.51.100.\(id.rawValue)")!],
                    initialState: rng.chance(0.2) ? .master : .backup, nopreempt: nopreempt, preemptDelay: delay,
                    trackedScripts: scripts,
                    trackedInterfaces: [TrackedInterface(name: SimulatedSegment.linkInterface)]))
            }
            configurations.append(instances)
        }
        guard faults else { return }
        var crashed = Set<Int>()
        for _ in 0..<Int.random(in: 3...12, using: &rng) {
            let t = VRRPInstant(offset: rng.duration(in: .seconds(1)...faultPhase))
            let n = Int.random(in: 0..<nodeCount, using: &rng)
            let fault: SimulationFault
            switch Int.random(in: 0..<8, using: &rng) {
            case 0:
                let side = (0..<nodeCount).filter { _ in rng.chance(0.5) }
                fault = .partition([side, (0..<nodeCount).filter { !side.contains($0) }])
            case 1: fault = .heal
            case 2: fault = crashed.insert(n).inserted ? .crash(node: n) : .restart(node: n)
            case 3: fault = .link(node: n, up: rng.chance(0.5))
            case 4, 5: fault = .check(node: n, script: rng.chance(0.7) ? "chk" : "w", succeeding: rng.chance(0.5))
            case 6: fault = .conditions(.init(lossProbability: Double.random(in: 0...0.4, using: &rng),
                                              delay: .milliseconds(1)...rng.duration(in: .milliseconds(1)...(.milliseconds(80)))))
            default: fault = .shutdown(node: n)
            }
            if case .shutdown = fault { crashed.insert(n) }
            if case .restart = fault { crashed.remove(n) }
            schedule.append((t, fault))
        }
        for n in 0..<nodeCount {
            finalChecks.append((n, "chk", rng.chance(0.8)))
            finalChecks.append((n, "w", rng.chance(0.5)))
        }
    }

    /// The longest master-down interval any node could use, plus the longest preempt delay.
    var settleBound: Duration {
        let all = configurations.flatMap { $0 }
        let down = all.map { $0.advertisementInterval * 3 + .seconds(1) }.max() ?? .seconds(4)
        let delay = all.map(\.preemptDelay).max() ?? .zero
        return delay + down * 3 + .seconds(4)  // + check rounds for rise/fall
    }

    func makeSegment() -> SimulatedSegment {
        var sim = SimulatedSegment(seed: seed)
        for (n, instances) in configurations.enumerated() {
            sim.addNode(name: "n\(n)", address: IPAddress("192.0.2.\(10 + n)")!, instances: instances,
                        syncGroup: syncGroups ? "G\(n)" : nil)
        }
        return sim
    }

    /// Faults stop: everything heals, restarts and links up; checks take their final outcome.
    func endFaults(_ sim: inout SimulatedSegment) {
        sim.inject(.heal)
        sim.inject(.conditions(.init()))
        for n in sim.nodes.indices {
            sim.inject(.link(node: n, up: true))
            sim.inject(.restart(node: n))
        }
        for c in finalChecks { sim.inject(.check(node: c.node, script: c.script, succeeding: c.succeeding)) }
    }

    var description: String {
        let nodes = configurations.enumerated().map { n, cs in
            "n\(n): " + cs.map { "vrid \($0.virtualRouterID) \($0.version) prio \($0.priority) int \($0.advertisementInterval)"
                + ($0.nopreempt ? " nopreempt" : "") + ($0.preemptDelay > .zero ? " delay \($0.preemptDelay)" : "")
                + " scripts \($0.trackedScripts.map { "\($0.name)/w\($0.weight)" })" }.joined(separator: "; ")
        }
        return (["seed \(seed)"] + nodes + schedule.map { "  \($0.at): \($0.fault)" }).joined(separator: "\n")
    }
}
