import VRRPCore
import VRRPWire

/// The live state of every instance, for `/status`, `/metrics`, SIGUSR1/SIGUSR2
/// dumps and `ipfailover status`.
public struct EngineSnapshot: Sendable, Hashable, Codable {
    public var instances: [InstanceSnapshot]
    /// Receive-path drops that matched no instance, by keepalived counter name.
    public var nodeCounters: [String: UInt64]
}

/// One instance.
public struct InstanceSnapshot: Sendable, Hashable, Codable {
    public var name: String
    public var syncGroup: String?
    public var interface: String
    public var virtualRouterID: Int
    public var version: Int
    public var state: String
    public var effectivePriority: Int
    public var basePriority: Int
    public var masterAddress: String?
    public var advertisementIntervalSeconds: Double
    public var virtualAddresses: [String]
    public var trackers: [TrackerSnapshot]
    public var lastTransition: TransitionSnapshot?
    /// keepalived stats names → values (core counters and receive-path drops).
    public var counters: [String: UInt64]
    /// Another master on this VRID (`PeerConflict.concurrentMaster`, `.secondMaster`).
    public var splitBrain: ConflictSnapshot
    /// Another address list on this VRID (`PeerConflict.addressListMismatch`).
    public var vridCollision: ConflictSnapshot
    /// The last state changes, oldest first, with their notify calls (`TransitionHistory`).
    public var history: [TransitionRecord] = []
}

public struct TrackerSnapshot: Sendable, Hashable, Codable {
    public var kind: String
    public var name: String
    public var weight: Int
    public var status: String
}

public struct TransitionSnapshot: Sendable, Hashable, Codable {
    public var from: String
    public var to: String
    public var reason: String
    /// Seconds since the daemon started.
    public var atSeconds: Double
}

extension Duration {
    var seconds: Double {
        let c = components
        return Double(c.seconds) + Double(c.attoseconds) / 1e18
    }
}

extension FailoverEngine {
    /// A consistent picture of all instances at this moment.
    public func snapshot() -> EngineSnapshot {
        // An episode whose quiet period ran out ends here too: an instance in FAULT
        // has no timer to end it, and a scrape must not show it still going on.
        if started, !stopped { expireConflicts(now: now) }
        var instances: [InstanceSnapshot] = []
        let history = executor.ports.notifier.transitionHistory
        for unit in table.units {
            var groupName: String?
            groupName = unit.group?.name
            for router in unit.routers {
                guard let instance = plan.instance(named: router.name) else { continue }
                let s = router.status
                // Every counter /metrics exports is listed, zeros included: a counter
                // that appears only once it counts cannot be told from a missing one.
                var counters = Dictionary(uniqueKeysWithValues: FailoverMetrics.instanceCounterNames.map { ($0, UInt64(0)) })
                for (name, value) in s.statistics.keepalivedCounters { counters[name] = value }
                for (name, value) in self.counters.perInstance[router.name] ?? [:] { counters[name, default: 0] += value }
                instances.append(InstanceSnapshot(
                    name: s.name, syncGroup: groupName, interface: instance.interface,
                    virtualRouterID: Int(s.virtualRouterID.rawValue), version: Int(instance.router.version.rawValue),
                    state: s.state.rawValue, effectivePriority: Int(s.effectivePriority.rawValue),
                    basePriority: Int(s.basePriority.rawValue), masterAddress: s.masterAddress?.description,
                    advertisementIntervalSeconds: s.masterAdvertisementInterval.seconds,
                    virtualAddresses: instance.virtualAddresses.map(\.description),
                    trackers: s.trackers.map { TrackerSnapshot(kind: $0.kind.rawValue, name: $0.name, weight: $0.weight, status: $0.status.rawValue) },
                    lastTransition: s.lastTransition.map {
                        TransitionSnapshot(from: $0.from.rawValue, to: $0.to.rawValue,
                                           reason: $0.reason.description, atSeconds: $0.at.offset.seconds)
                    },
                    counters: counters,
                    splitBrain: splitBrains[router.name]?.snapshot ?? ConflictSnapshot(),
                    vridCollision: vridCollisions[router.name]?.snapshot ?? ConflictSnapshot(),
                    history: history?.records(for: router.name) ?? []))
            }
        }
        let order = Dictionary(uniqueKeysWithValues: plan.instances.enumerated().map { ($1.name, $0) })
        instances.sort { (order[$0.name] ?? 0) < (order[$1.name] ?? 0) }
        var nodeCounters = counters.node
        // Listed from the start, zero included, like the instance counters: a flood
        // that overruns the sockets must show where a dashboard already looks.
        nodeCounters["socket_queue_dropped"] = intake.receiveQueueDrops
        return EngineSnapshot(instances: instances, nodeCounters: nodeCounters)
    }

    /// True while started and not stopped, with the timer (the alarm, or the timer
    /// task) armed whenever some instance has a deadline — what `/healthz` reports.
    public func isAlive() -> Bool {
        guard started, !stopped else { return false }
        return timers.isEmpty || armedDeadline != nil
    }
}
