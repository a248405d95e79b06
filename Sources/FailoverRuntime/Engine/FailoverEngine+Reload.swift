import VRRPCore

/// What a reload changed, by instance name.
public struct ReloadSummary: Sendable, Hashable {
    /// Instances whose configuration is identical: state, VIPs and timers kept.
    public var unchanged: [String] = []
    /// Instances stopped and started again with their new configuration.
    public var restarted: [String] = []
    /// New instances.
    public var added: [String] = []
    /// Instances no longer configured (stopped: a master released its VIPs).
    public var removed: [String] = []
}

extension FailoverEngine {
    /// SIGHUP: swaps in a new plan. Instances are matched by name; an unchanged
    /// instance (same configuration, same sync-group membership) keeps its router
    /// value untouched — no port call, no notify. A changed one is stopped (a
    /// master releases) and started afresh; removed ones stop; new ones start.
    public func reload(_ newPlan: RuntimePlan) -> ReloadSummary {
        // Every stop and start below is the reload's doing (the actor runs nothing else meanwhile).
        let history = executor.ports.notifier.transitionHistory
        history?.beginReload()
        defer { history?.endReload() }
        defer { sendStagedAdverts() }
        var summary = ReloadSummary()
        let oldPlan = plan
        var newTable = UnitTable(plan: newPlan, logger: logger)
        var reusedOld = Set<Int>()
        var toStart: [Int] = []
        for (i, unit) in newTable.units.enumerated() {
            let names = unit.instanceNames
            if let old = reusableUnit(for: names, oldPlan: oldPlan, newPlan: newPlan), !reusedOld.contains(old) {
                reusedOld.insert(old)
                newTable.units[i] = table.units[old]
                summary.unchanged += names
            } else {
                toStart.append(i)
                for name in names {
                    if oldPlan.instance(named: name) != nil { summary.restarted.append(name) } else { summary.added.append(name) }
                }
            }
        }
        let now = now
        // Stop what is not carried over before anything new starts, so a VIP that
        // moves between instances is released before it is claimed again.
        for i in table.units.indices where !reusedOld.contains(i) {
            run(i) { $0.shutdown(now: now) }
        }
        summary.removed = oldPlan.instances.map(\.name).filter { newPlan.instance(named: $0) == nil }
        plan = newPlan
        // Removed instances' stop actions ran above with the old contexts.
        table = newTable
        timers = DeadlineQueue(count: table.units.count)
        for i in table.units.indices { timers.set(i, table.units[i].nextDeadline) }
        // The instances started afresh learn which links are down, as at start-up:
        // their interface trackers begin up, and no later event may ever correct
        // them (an instance on a dead link would otherwise go MASTER there).
        for i in toStart {
            for name in downLinks.sorted() { run(i) { $0.interfaceChanged(name: name, up: false, now: now) } }
        }
        if started, !stopped {
            for i in toStart { run(i) { $0.start(now: now) } }
            rearm()
        }
        return summary
    }

    /// The old unit that runs exactly these instances with identical settings.
    private func reusableUnit(for names: [String], oldPlan: RuntimePlan, newPlan: RuntimePlan) -> Int? {
        guard let first = names.first, let old = table.unit(of: first) else { return nil }
        guard table.units[old].instanceNames == names else { return nil }
        for name in names where oldPlan.instance(named: name) != newPlan.instance(named: name) { return nil }
        let oldGroup = oldPlan.syncGroups.first { $0.members.contains(first) }
        let newGroup = newPlan.syncGroups.first { $0.members.contains(first) }
        return oldGroup == newGroup ? old : nil
    }
}
