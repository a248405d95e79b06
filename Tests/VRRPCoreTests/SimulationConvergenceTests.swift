import FailoverTestKit
import Testing
import VRRPCore
import VRRPWire

/// Convergence in virtual time equals the protocol bound exactly.
@Suite("Simulated convergence")
struct SimulationConvergenceTests {
    static let delay = Duration.milliseconds(1)

    func cluster(version: VRRPVersion = .v2, interval: Duration = .seconds(1), priorities: [UInt8] = [200, 150, 100],
                 scripts: [TrackedScript] = []) -> SimulatedSegment {
        var sim = SimulatedSegment(seed: 1, conditions: .init(delay: Self.delay...Self.delay))
        for (i, p) in priorities.enumerated() {
            let address = "192.0.2.\(10 + i)"
            sim.addNode(name: "n\(i)", address: ip(address), instances: [
                config(priority: p, address: address, version: version, interval: interval, scripts: scripts,
                       interfaces: [TrackedInterface(name: SimulatedSegment.linkInterface)]),
            ])
        }
        sim.startAll()
        return sim
    }

    /// When `node` last sent an advert (at or before `time`).
    func lastAdvert(_ sim: SimulatedSegment, node: Int) -> VRRPInstant {
        sim.trace.last { e in
            if e.node == node, case .sendAdvertisement = e.action { true } else { false }
        }!.at
    }

    func becameMaster(_ sim: SimulatedSegment, node: Int, after t: VRRPInstant) -> VRRPInstant? {
        sim.stateChanges.first { $0.node == node && $0.to == .master && $0.at >= t }?.at
    }

    @Test("the highest priority wins the initial election")
    func initialElection() {
        var sim = cluster()
        sim.run(for: .seconds(10))
        #expect(sim.masters(of: vrid(51)) == [0])
        #expect(sim.violations.isEmpty)
    }

    @Test("after a master crash the next backup takes over after exactly the master-down interval", arguments: [VRRPVersion.v2, .v3])
    func crashConvergence(version: VRRPVersion) throws {
        var sim = cluster(version: version, interval: version == .v3 ? .milliseconds(500) : .seconds(1))
        sim.run(for: .seconds(10))
        sim.crash(node: 0)
        let crashAt = sim.now
        let lastHeard = lastAdvert(sim, node: 0) + Self.delay
        sim.run(for: .seconds(10))
        let takeover = try #require(becameMaster(sim, node: 1, after: crashAt))
        #expect(takeover - lastHeard == sim.router(node: 1, instance: "VI_1")!.masterDownInterval)
        #expect(sim.masters(of: vrid(51)) == [1])
    }

    @Test("after a master shutdown the next backup takes over after exactly the skew time")
    func releaseConvergence() throws {
        var sim = cluster()
        sim.run(for: .seconds(10) + .milliseconds(300))
        sim.shutdown(node: 0)
        let releasedAt = sim.now
        sim.run(for: .seconds(5))
        let takeover = try #require(becameMaster(sim, node: 1, after: releasedAt))
        let skew = sim.router(node: 1, instance: "VI_1")!.skewTime
        #expect(takeover - (releasedAt + Self.delay) == skew)
        #expect(skew == .microseconds(414_062))
    }

    @Test("a failing weight-0 check on the master hands over after skew time, and the node negotiates back in")
    func checkFailureHandsOver() throws {
        var sim = cluster(scripts: [TrackedScript(name: "chk")])
        sim.run(for: .seconds(10))
        #expect(sim.masters(of: vrid(51)) == [0])
        sim.setCheck(node: 0, script: "chk", succeeding: false)
        sim.run(for: .seconds(5))
        #expect(sim.masters(of: vrid(51)) == [1])
        let fault = try #require(sim.stateChanges.first { $0.node == 0 && $0.to == .fault })
        let takeover = try #require(becameMaster(sim, node: 1, after: fault.at))
        #expect(takeover - (fault.at + Self.delay) == sim.router(node: 1, instance: "VI_1")!.skewTime)
        sim.setCheck(node: 0, script: "chk", succeeding: true)
        sim.run(for: .seconds(10))
        #expect(sim.masters(of: vrid(51)) == [0])
        #expect(sim.notifiedStates(node: 0, incarnation: 0, instance: "VI_1") == [.backup, .master, .fault, .backup, .master])
        #expect(sim.violations.isEmpty)
    }

    @Test("link down on the master moves it to FAULT and a backup takes over")
    func linkDown() {
        var sim = cluster()
        sim.run(for: .seconds(10))
        sim.setLink(node: 0, up: false)
        sim.run(for: .seconds(5))
        #expect(sim.router(node: 0, instance: "VI_1")?.state == .fault)
        #expect(sim.masters(of: vrid(51)) == [1])
    }

    @Test("a failing check on one sync-group member moves the whole group to the other node")
    func syncGroupFailover() {
        var sim = SimulatedSegment(seed: 3, conditions: .init(delay: Self.delay...Self.delay))
        for (n, p) in [UInt8(200), 100].enumerated() {
            let address = "192.0.2.\(10 + n)"
            sim.addNode(name: "n\(n)", address: ip(address), instances: [
                config("VI_A", priority: p, address: address, scripts: [TrackedScript(name: "chk")], vrid: 51),
                config("VI_B", priority: p, address: address, vrid: 52),
            ], syncGroup: "G")
        }
        sim.startAll()
        sim.run(for: .seconds(10))
        #expect(sim.masters(of: vrid(51)) == [0] && sim.masters(of: vrid(52)) == [0])
        sim.setCheck(node: 0, script: "chk", succeeding: false)
        sim.run(for: .seconds(5))
        #expect(sim.masters(of: vrid(51)) == [1] && sim.masters(of: vrid(52)) == [1])
        #expect(sim.nodes[0].routers.allSatisfy { $0.state == .fault })
        let groupNotifies = sim.trace.compactMap { e -> String? in
            guard e.node == 0, case let .notify(n) = e.action, n.scope == .group else { return nil }
            return n.state.rawValue
        }
        #expect(groupNotifies == ["BACKUP", "MASTER", "FAULT"])
        #expect(sim.violations.isEmpty)
    }
}
