import VRRPCore

/// One injectable fault, so schedules can be generated, printed and replayed.
public enum SimulationFault: Hashable, Sendable, CustomStringConvertible {
    /// Split the segment into these groups of node indices.
    case partition([[Int]])
    /// Join all partitions.
    case heal
    /// Power loss of a node.
    case crash(node: Int)
    /// Boot a crashed node.
    case restart(node: Int)
    /// Orderly shutdown of a node.
    case shutdown(node: Int)
    /// Link down/up on a node.
    case link(node: Int, up: Bool)
    /// A check script starts succeeding or failing on a node.
    case check(node: Int, script: String, succeeding: Bool)
    /// New loss and delay on the segment.
    case conditions(SimulatedSegment.Conditions)

    public var description: String {
        switch self {
        case let .partition(groups): "partition \(groups)"
        case .heal: "heal"
        case let .crash(n): "crash node \(n)"
        case let .restart(n): "restart node \(n)"
        case let .shutdown(n): "shutdown node \(n)"
        case let .link(n, up): "link node \(n) \(up ? "up" : "down")"
        case let .check(n, s, ok): "check \(s) on node \(n) \(ok ? "succeeds" : "fails")"
        case let .conditions(c): "loss \(c.lossProbability) delay \(c.delay)"
        }
    }
}

extension SimulatedSegment {
    /// Applies one fault now.
    public mutating func inject(_ fault: SimulationFault) {
        switch fault {
        case let .partition(groups): partition(groups)
        case .heal: heal()
        case let .crash(n): crash(node: n)
        case let .restart(n): restart(node: n)
        case let .shutdown(n): shutdown(node: n)
        case let .link(n, up): setLink(node: n, up: up)
        case let .check(n, script, ok): setCheck(node: n, script: script, succeeding: ok)
        case let .conditions(c): conditions = c
        }
    }

    /// Runs a timed fault schedule: each fault is injected at its time (sorted).
    public mutating func run(schedule: [(at: VRRPInstant, fault: SimulationFault)]) {
        for item in schedule.sorted(by: { $0.at < $1.at }) {
            run(until: max(item.at, now))
            inject(item.fault)
        }
    }

    /// Notify states per router lifetime, in order: `[(node, incarnation, instance)] → states`.
    public func notifiedStates(node: Int, incarnation: Int, instance: String) -> [StateNotification.State] {
        trace.compactMap { e in
            guard e.node == node, e.incarnation == incarnation, e.instance == instance,
                  case let .notify(n) = e.action else { return nil }
            return n.state
        }
    }

    /// Observed states per router lifetime, in order, as notify states.
    public func observedStates(node: Int, incarnation: Int, instance: String) -> [StateNotification.State] {
        stateChanges.filter { $0.node == node && $0.incarnation == incarnation && $0.instance == instance }
            .map { StateNotification.State($0.to) }
    }
}
