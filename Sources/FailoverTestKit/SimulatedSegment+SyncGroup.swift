import VRRPCore
import VRRPWire

/// Driving nodes whose instances form a sync group: events go through the
/// `SyncGroup` so its coordination runs exactly as in the daemon.
extension SimulatedSegment {
    /// One event for one router, through the node's sync group when it has one.
    mutating func dispatch(node n: Int, router r: Int, _ event: (inout VirtualRouter) -> [VirtualRouterAction],
                           group: (inout SyncGroup) -> [TaggedAction]) {
        if nodes[n].syncGroup != nil { applyGroup(node: n, group) } else { apply(node: n, router: r, event) }
    }

    /// One event for every router of the node (once for the group when it has one).
    mutating func forEachRouter(node n: Int, _ event: (inout VirtualRouter) -> [VirtualRouterAction],
                                group: (inout SyncGroup) -> [TaggedAction]) {
        if nodes[n].syncGroup != nil {
            applyGroup(node: n, group)
        } else {
            for r in nodes[n].routers.indices { apply(node: n, router: r, event) }
        }
    }

    /// Runs one group event, records member state changes and executes the actions.
    mutating func applyGroup(node n: Int, _ event: (inout SyncGroup) -> [TaggedAction]) {
        guard nodes[n].syncGroup != nil else { return }
        let before = nodes[n].routers.map(\.state)
        coreEventCount += 1
        let actions = event(&nodes[n].syncGroup!)
        let group = nodes[n].syncGroup!
        nodes[n].routers = group.members
        // A member can pass through several states in one group event; the notifies
        // say which, the member's final state must agree with the last of them.
        for (r, member) in group.members.enumerated() {
            let notified = actions.compactMap { a -> VirtualRouterState? in
                guard a.instance == member.name, case let .notify(note) = a.action else { return nil }
                switch note.state {
                case .master: return .master
                case .backup: return .backup
                case .fault: return .fault
                case .stop: return .initialize
                }
            }
            var from = before[r]
            for to in notified {
                stateChanges.append(SimulationStateChange(at: now, node: n, incarnation: nodes[n].incarnation,
                                                          instance: member.name, from: from, to: to))
                from = to
            }
            if from != member.state {
                violations.append("\(now) \(nodes[n].name)/\(member.name): notified \(from) but state \(member.state)")
            }
        }
        for a in actions {
            let instance = a.instance ?? group.name
            trace.append(SimulationTraceEntry(at: now, node: n, incarnation: nodes[n].incarnation, instance: instance, action: a.action))
            if let r = group.members.firstIndex(where: { $0.name == a.instance }) { execute(a.action, node: n, router: r) }
        }
        for r in group.members.indices { checkAddresses(node: n, router: r) }
    }
}
