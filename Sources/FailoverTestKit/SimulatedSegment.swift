import SeededRandom
import VRRPCore
import VRRPWire

/// A simulated L2 segment joining N nodes, driven in virtual time: adverts are
/// delivered to every reachable node after a delay, with optional loss; faults
/// (partitions, crashes, link loss, check flips) are injected between runs.
///
/// Event-driven: `run(until:)` jumps from one event (delivery, router deadline,
/// check round) to the next, so time costs nothing and is exact. Every random
/// choice comes from one seeded `SplitMix64`.
public struct SimulatedSegment: Sendable {
    /// Loss and delay of the segment.
    public struct Conditions: Hashable, Sendable {
        /// Probability that one delivery (one advert to one node) is lost.
        public var lossProbability: Double
        /// Delivery delay range.
        public var delay: ClosedRange<Duration>

        public init(lossProbability: Double = 0, delay: ClosedRange<Duration> = .milliseconds(1)...(.milliseconds(1))) {
            self.lossProbability = lossProbability
            self.delay = delay
        }
    }

    struct Delivery {
        var at: VRRPInstant
        var sequence: UInt64
        var to: Int
        var from: IPAddress
        var advert: Advertisement
    }

    /// The interface name nodes' routers track for their link.
    public static let linkInterface = "eth0"

    /// Virtual time: it moves only as events are processed, so convergence times can
    /// be asserted exactly.
    public private(set) var now: VRRPInstant = .zero
    /// The nodes, by index.
    public internal(set) var nodes: [SimulatedNode] = []
    /// Current loss/delay.
    public var conditions: Conditions
    /// Every action every router returned, in order.
    public internal(set) var trace: [SimulationTraceEntry] = []
    /// Every router state change, in order.
    public internal(set) var stateChanges: [SimulationStateChange] = []
    /// Invariant breaches seen while running (e.g. addresses held outside MASTER).
    public internal(set) var violations: [String] = []
    /// The seed the run was built from.
    public let seed: UInt64
    /// How many events (method calls) the routers have processed.
    public internal(set) var coreEventCount = 0

    var rng: SplitMix64
    var inFlight: [Delivery] = []
    var sequence: UInt64 = 0

    public init(seed: UInt64, conditions: Conditions = .init()) {
        self.seed = seed
        self.rng = SplitMix64(seed: seed)
        self.conditions = conditions
    }

    /// Adds a node (not started); returns its index.
    @discardableResult
    public mutating func addNode(name: String, address: IPAddress, instances: [VirtualRouterConfiguration],
                                 checkInterval: Duration = .seconds(1), syncGroup: String? = nil) -> Int {
        nodes.append(SimulatedNode(name: name, address: address, configurations: instances,
                                   checkInterval: checkInterval, syncGroupName: syncGroup))
        return nodes.count - 1
    }

    /// The router of `instance` on `node` (nil while crashed).
    public func router(node: Int, instance: String) -> VirtualRouter? {
        nodes[node].routers.first { $0.name == instance }
    }

    /// Nodes whose router for `vrid` is MASTER.
    public func masters(of vrid: VirtualRouterID) -> [Int] {
        nodes.indices.filter { n in
            nodes[n].routers.contains { $0.configuration.virtualRouterID == vrid && $0.state == .master }
        }
    }

    /// Whether an advert from `a` reaches `b` now.
    public func canReach(_ a: Int, _ b: Int) -> Bool {
        a != b && nodes[a].isRunning && nodes[b].isRunning && nodes[a].isLinkUp && nodes[b].isLinkUp
            && nodes[a].side == nodes[b].side
    }

    // MARK: - Running

    /// Moves virtual time forward to `instant` (never backwards).
    private mutating func advance(to instant: VRRPInstant) {
        precondition(instant >= now, "virtual time never runs backwards")
        now = instant
    }

    /// Processes every event up to and including `end`, then sets the clock to `end`.
    public mutating func run(until end: VRRPInstant) {
        while let t = nextEventTime(), t <= end {
            advance(to: t)
            processInstant(t)
        }
        advance(to: end)
    }

    /// Runs for `duration` of virtual time.
    public mutating func run(for duration: Duration) { run(until: now + duration) }

    /// Runs until `condition` holds (checked after each event) or `limit` passes;
    /// returns the time it first held.
    public mutating func run(until limit: VRRPInstant, stopWhen condition: (SimulatedSegment) -> Bool) -> VRRPInstant? {
        if condition(self) { return now }
        while let t = nextEventTime(), t <= limit {
            advance(to: t)
            processInstant(t)
            if condition(self) { return t }
        }
        advance(to: limit)
        return nil
    }

    func nextEventTime() -> VRRPInstant? {
        var earliest: VRRPInstant?
        func consider(_ t: VRRPInstant?) {
            if let t, earliest.map({ t < $0 }) ?? true { earliest = t }
        }
        for i in inFlight.indices { consider(inFlight[i].at) }
        // Index access, not `for node in nodes`: copying nodes and routers dominated the run time.
        for n in nodes.indices where nodes[n].isRunning {
            for r in nodes[n].routers.indices { consider(nodes[n].routers[r].nextDeadline) }
            consider(nodes[n].nextCheck)
        }
        return earliest
    }

    mutating func processInstant(_ t: VRRPInstant) {
        // Deliveries first (in send order), then timers, then check rounds: a fixed
        // order keeps runs reproducible.
        var due: [Delivery] = []
        if inFlight.contains(where: { $0.at <= t }) {
            due = inFlight.filter { $0.at <= t }.sorted { $0.sequence < $1.sequence }
            inFlight.removeAll { $0.at <= t }
        }
        for d in due where nodes[d.to].isRunning && nodes[d.to].isLinkUp {
            for r in nodes[d.to].routers.indices where nodes[d.to].routers[r].configuration.virtualRouterID == d.advert.virtualRouterID {
                let instance = nodes[d.to].routers[r].name
                dispatch(node: d.to, router: r,
                         { $0.advertisementReceived(d.advert, from: d.from, now: t) },
                         group: { $0.advertisementReceived(d.advert, from: d.from, instance: instance, now: t) })
            }
        }
        for n in nodes.indices where nodes[n].isRunning {
            if nodes[n].syncGroup != nil {
                if let d = nodes[n].syncGroup?.nextDeadline, d <= t { applyGroup(node: n) { $0.deadlineReached(now: t) } }
            } else {
                for r in nodes[n].routers.indices {
                    if let d = nodes[n].routers[r].nextDeadline, d <= t {
                        apply(node: n, router: r) { $0.deadlineReached(now: t) }
                    }
                }
            }
            if let c = nodes[n].nextCheck, c <= t {
                nodes[n].nextCheck = t + nodes[n].checkInterval
                for script in nodes[n].trackedScripts {
                    let ok = nodes[n].checkOutcomes[script] ?? true
                    forEachRouter(node: n, { $0.checkResult(script: script, succeeded: ok, now: t) },
                                  group: { $0.checkResult(script: script, succeeded: ok, now: t) })
                }
            }
        }
    }

    /// Runs one router event and executes the returned actions on the segment.
    mutating func apply(node n: Int, router r: Int, _ event: (inout VirtualRouter) -> [VirtualRouterAction]) {
        let before = nodes[n].routers[r].state
        coreEventCount += 1
        let actions = event(&nodes[n].routers[r])
        let after = nodes[n].routers[r].state
        let instance = nodes[n].routers[r].name
        if before != after {
            stateChanges.append(SimulationStateChange(at: now, node: n, incarnation: nodes[n].incarnation,
                                                      instance: instance, from: before, to: after))
        }
        for action in actions {
            trace.append(SimulationTraceEntry(at: now, node: n, incarnation: nodes[n].incarnation, instance: instance, action: action))
            execute(action, node: n, router: r)
        }
        checkAddresses(node: n, router: r)
    }

    /// Addresses must be configured exactly while MASTER.
    mutating func checkAddresses(node n: Int, router r: Int) {
        let state = nodes[n].routers[r].state
        let installed = !nodes[n].installedAddresses[r].isEmpty
        if installed != (state == .master) && !nodes[n].configurations[r].virtualAddresses.isEmpty {
            violations.append("\(now) \(nodes[n].name)/\(nodes[n].routers[r].name): state \(state) but addresses installed=\(installed)")
        }
    }

    mutating func execute(_ action: VirtualRouterAction, node n: Int, router r: Int) {
        switch action {
        case let .sendAdvertisement(advert):
            for to in nodes.indices where canReach(n, to) {
                if rng.chance(conditions.lossProbability) { continue }
                sequence += 1
                inFlight.append(Delivery(at: now + rng.duration(in: conditions.delay), sequence: sequence,
                                         to: to, from: nodes[n].address, advert: advert))
            }
        case let .addVirtualAddresses(addresses):
            nodes[n].installedAddresses[r].formUnion(addresses)
        case let .removeVirtualAddresses(addresses):
            nodes[n].installedAddresses[r].subtract(addresses)
        case .announce, .notify, .warn, .peerConflict:
            break
        }
    }
}
