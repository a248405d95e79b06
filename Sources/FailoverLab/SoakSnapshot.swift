/// What the soak observed of the cluster at one moment of a quiet period: each live
/// node's state per instance (its `/status`, or for keepalived its last notify call),
/// the VIPs the kernel holds on each node, and which nodes the client heard for each VIP.
public struct SoakSnapshot: Sendable, Hashable, Codable {
    /// Instance name → its VIPs.
    public var instances: [String: [String]]
    /// Node name → instance name → state (live nodes only).
    public var states: [String: [String: String]]
    /// Node name → VIPs configured on its interface.
    public var addresses: [String: [String]]
    /// VIP → nodes whose answers the client received in the window (nil: not probed).
    public var answering: [String: [String]]?

    public init(instances: [String: [String]], states: [String: [String: String]], addresses: [String: [String]],
                answering: [String: [String]]? = nil) {
        self.instances = instances
        self.states = states
        self.addresses = addresses
        self.answering = answering
    }

    /// Instance → the nodes in MASTER, sorted.
    public var masters: [String: [String]] {
        instances.keys.reduce(into: [:]) { out, name in
            out[name] = states.filter { $0.value[name] == "MASTER" }.map(\.key).sorted()
        }
    }

    /// One line: `VI_1: a=MASTER b=BACKUP …; held a:[…] …`.
    public var summary: String {
        let rows = instances.keys.sorted().map { name in
            name + ": " + states.keys.sorted().map { "\($0)=\(states[$0]?[name] ?? "?")" }.joined(separator: " ")
        }
        let held = addresses.keys.sorted().map { "\($0):[\(addresses[$0]!.sorted().joined(separator: ","))]" }
        return rows.joined(separator: "; ") + "; held " + held.joined(separator: " ")
    }
}
