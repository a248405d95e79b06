/// What every daemon of a cluster reports at one moment: node name → `/status`
/// (nodes whose endpoint did not answer are missing).
public struct ClusterView: Sendable, Hashable {
    /// Node name → its status.
    public var statuses: [String: ObservedStatus]

    /// The state of `instance` on `node`, if known.
    public func state(of instance: String, on node: String) -> String? {
        statuses[node]?.instance(instance)?.state
    }

    /// The nodes where `instance` is MASTER, sorted.
    public func masters(of instance: String) -> [String] {
        nodes(of: instance, in: "MASTER")
    }

    /// The nodes where `instance` is in `state`, sorted.
    public func nodes(of instance: String, in state: String) -> [String] {
        statuses.filter { $0.value.instance(instance)?.state == state }.map(\.key).sorted()
    }

    /// True when every node of `expected` reported, and each instance in `instances`
    /// has exactly one MASTER and every other node BACKUP (or FAULT when listed in
    /// `faulted`); with `preferred`, each master is also the `preferredMaster`.
    public func isSettled(nodes expected: [String], instances: [String], faulted: Set<String> = [],
                          preferred: Bool = true) -> Bool {
        guard Set(statuses.keys) == Set(expected) else { return false }
        return instances.allSatisfy { name in
            masters(of: name).count == 1 && (!preferred || masters(of: name).first == preferredMaster(of: name))
                && expected.allSatisfy { node in
                let s = state(of: name, on: node)
                return s == "MASTER" || (faulted.contains(node) ? s == "FAULT" : s == "BACKUP")
            }
        }
    }

    /// The node with the highest effective priority for `instance` among those not in FAULT.
    public func preferredMaster(of instance: String) -> String? {
        statuses.compactMap { node, status -> (String, Int)? in
            guard let i = status.instance(instance), i.state != "FAULT" else { return nil }
            return (node, i.effectivePriority)
        }.max { $0.1 < $1.1 }?.0
    }

    /// A one-line-per-instance summary for failure messages and the demo.
    public var summary: String {
        let names = Set(statuses.values.flatMap { $0.instances.map(\.name) }).sorted()
        return names.map { name in
            name + ": " + statuses.keys.sorted().map { node in
                let i = statuses[node]?.instance(name)
                return "\(node)=\(i?.state ?? "?")/\(i?.effectivePriority ?? 0)"
            }.joined(separator: " ")
        }.joined(separator: "; ")
    }
}

extension LabCluster {
    /// The status of every daemon in `daemons` now.
    public func view(of daemons: [LabDaemon]) async -> ClusterView {
        var statuses: [String: ObservedStatus] = [:]
        for daemon in daemons {
            if let status = try? await daemon.status() { statuses[daemon.node.name] = status }
        }
        return ClusterView(statuses: statuses)
    }

    /// Polls every daemon's status until `predicate` holds or `timeout` passes.
    public func waitForView(of daemons: [LabDaemon], timeout: Duration = .seconds(20),
                            until predicate: (ClusterView) -> Bool) async -> (view: ClusterView, satisfied: Bool) {
        let deadline = ContinuousClock.now + timeout
        while true {
            let current = await view(of: daemons)
            if predicate(current) { return (current, true) }
            if ContinuousClock.now >= deadline || Task.isCancelled { return (current, false) }
            try? await Task.sleep(for: .milliseconds(25))
        }
    }
}
