import VRRPCore
import VRRPWire

/// Fault injection and node life cycle.
extension SimulatedSegment {
    /// Boots a node: fresh routers from its configurations, link state reported, started.
    public mutating func start(node n: Int) {
        guard !nodes[n].isRunning else { return }
        nodes[n].isRunning = true
        nodes[n].routers = nodes[n].configurations.map(VirtualRouter.init(configuration:))
        nodes[n].installedAddresses = Array(repeating: [], count: nodes[n].routers.count)
        let linkUp = nodes[n].isLinkUp
        let t = now
        if let name = nodes[n].syncGroupName {
            nodes[n].syncGroup = SyncGroup(name: name, members: nodes[n].routers)
        }
        forEachRouter(node: n, { $0.interfaceChanged(name: Self.linkInterface, up: linkUp, now: t) },
                      group: { $0.interfaceChanged(name: Self.linkInterface, up: linkUp, now: t) })
        forEachRouter(node: n, { $0.start(now: t) }, group: { $0.start(now: t) })
        // Check rounds start at a seeded phase within one interval, like independent daemons.
        nodes[n].nextCheck = now + rng.duration(in: .zero...nodes[n].checkInterval)
    }

    /// Boots every node that is not running.
    public mutating func startAll() {
        for n in nodes.indices { start(node: n) }
    }

    /// Power loss: routers vanish without a word, addresses with them.
    public mutating func crash(node n: Int) {
        // No state change is recorded: a dead process notifies nobody.
        guard nodes[n].isRunning else { return }
        nodes[n].isRunning = false
        nodes[n].routers = []
        nodes[n].syncGroup = nil
        nodes[n].nextCheck = nil
        nodes[n].installedAddresses = Array(repeating: [], count: nodes[n].configurations.count)
        nodes[n].incarnation += 1
        inFlight.removeAll { $0.to == n }
    }

    /// Boots a crashed node again.
    public mutating func restart(node n: Int) { start(node: n) }

    /// Orderly stop (SIGTERM): routers shut down and their actions are executed.
    public mutating func shutdown(node n: Int) {
        guard nodes[n].isRunning else { return }
        let t = now
        forEachRouter(node: n, { $0.shutdown(now: t) }, group: { $0.shutdown(now: t) })
        nodes[n].syncGroup = nil
        nodes[n].isRunning = false
        nodes[n].routers = []
        nodes[n].nextCheck = nil
        nodes[n].incarnation += 1
    }

    /// The node's link goes down or up: nothing crosses it while down, and its
    /// routers hear about it as a tracked-interface change.
    public mutating func setLink(node n: Int, up: Bool) {
        nodes[n].isLinkUp = up
        if !up { inFlight.removeAll { $0.to == n } }
        guard nodes[n].isRunning else { return }
        let t = now
        forEachRouter(node: n, { $0.interfaceChanged(name: Self.linkInterface, up: up, now: t) },
                      group: { $0.interfaceChanged(name: Self.linkInterface, up: up, now: t) })
    }

    /// From the next check round on, `script` on `node` succeeds or fails.
    public mutating func setCheck(node n: Int, script: String, succeeding: Bool) {
        nodes[n].checkOutcomes[script] = succeeding
    }

    /// Splits the segment: nodes in different groups stop hearing each other.
    /// Nodes not listed join the first group.
    public mutating func partition(_ groups: [[Int]]) {
        for n in nodes.indices { nodes[n].side = 0 }
        for (side, group) in groups.enumerated() { for n in group { nodes[n].side = side } }
        inFlight.removeAll { d in
            nodes.indices.contains { nodes[$0].address == d.from && nodes[$0].side != nodes[d.to].side }
        }
    }

    /// Joins every partition again.
    public mutating func heal() {
        for n in nodes.indices { nodes[n].side = 0 }
    }
}
