/// The soak's invariants over what it observed. Pure functions of their inputs, so a
/// test can hand them a broken cluster (two masters, a lost notify call) and see
/// them fire.
public enum SoakInvariants {
    /// The cluster-wide rules for a settled cluster: every expected node reported every
    /// instance in MASTER or BACKUP, exactly one MASTER per instance, that master holds
    /// all of the instance's VIPs, no other node holds any of them, and (when the client
    /// probed) no VIP was answered by more than one node, nor by a node other than its master.
    public static func settled(_ snapshot: SoakSnapshot, expectedNodes: [String]) -> [String] {
        var problems: [String] = []
        for node in expectedNodes where snapshot.states[node] == nil {
            problems.append("\(node): no state reported")
        }
        let masters = snapshot.masters
        for (name, vips) in snapshot.instances.sorted(by: { $0.key < $1.key }) {
            for node in snapshot.states.keys.sorted() {
                let state = snapshot.states[node]?[name] ?? "missing"
                if state != "MASTER" && state != "BACKUP" { problems.append("\(name) on \(node) is \(state)") }
            }
            let m = masters[name] ?? []
            if m.count != 1 {
                problems.append("\(name): \(m.count) MASTERs [\(m.joined(separator: ","))]")
            }
            for vip in vips {
                let holders = snapshot.addresses.filter { $0.value.contains(vip) }.map(\.key).sorted()
                if m.count == 1 {
                    if !holders.contains(m[0]) { problems.append("\(name): MASTER \(m[0]) does not hold \(vip)") }
                    let strays = holders.filter { $0 != m[0] }
                    if !strays.isEmpty { problems.append("\(vip) held by non-master \(strays.joined(separator: ","))") }
                } else if holders.count > 1 {
                    problems.append("\(vip) held by \(holders.joined(separator: ","))")
                }
                if let answering = snapshot.answering?[vip] {
                    if answering.count > 1 {
                        problems.append("\(vip) answered by \(answering.count) nodes [\(answering.joined(separator: ","))]")
                    } else if m.count == 1, answering.count == 1, answering[0] != m[0] {
                        problems.append("\(vip) answered by \(answering[0]), MASTER is \(m[0])")
                    }
                }
            }
        }
        return problems
    }

    /// VIPs that no node answered in the snapshot's window although the cluster is
    /// settled: a client outage (typically a client neighbour entry still pointing at a
    /// node that held the VIP moments ago). Counted and reported, not an invariant: the
    /// invariant is that at most one node answers.
    public static func silent(_ snapshot: SoakSnapshot) -> [String] {
        (snapshot.answering ?? [:]).filter { $0.value.isEmpty }.map(\.key).sorted()
    }

    /// The notify rules for one instance on one node over one daemon incarnation:
    /// `states` are the notify calls' states in log order. No state is announced twice
    /// in a row (a duplicate) and the last call is the state the daemon reports now
    /// (nothing lost); a daemon still in INIT may have made no call.
    public static func notifications(_ states: [String], current: String, instance: String, node: String) -> [String] {
        var problems: [String] = []
        for (previous, next) in zip(states, states.dropFirst()) where previous == next {
            problems.append("\(instance) on \(node): notify \(next) twice in a row")
            break
        }
        if let last = states.last {
            if last != current { problems.append("\(instance) on \(node): last notify \(last), state \(current)") }
        } else if current != "INIT" {
            problems.append("\(instance) on \(node): no notify call, state \(current)")
        }
        return problems
    }

    /// Growth that counts as a leak between the first and last sample of one daemon
    /// incarnation: more than 8 descriptors, or resident memory above 1.5 × the first
    /// sample + 16 MiB (allocator warm-up and caches grow a little at the start).
    public static func resources(fds: [Int], rssKiB: [Int], node: String) -> [String] {
        var problems: [String] = []
        if let first = fds.first, let last = fds.last, last > first + 8 {
            problems.append("\(node): descriptors \(first) → \(last)")
        }
        if let first = rssKiB.first, let last = rssKiB.last, last > first * 3 / 2 + 16 * 1024 {
            problems.append("\(node): RSS \(first) KiB → \(last) KiB")
        }
        return problems
    }
}
