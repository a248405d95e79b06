import VRRPCore
import VRRPWire

/// One simulated machine on a `SimulatedSegment`: an address, the virtual routers
/// it runs, its link, its check scripts and the addresses it has configured.
public struct SimulatedNode: Sendable {
    /// Name for messages.
    public let name: String
    /// The node's primary address on the segment.
    public let address: IPAddress
    /// The instance configurations (kept across crash/restart).
    public let configurations: [VirtualRouterConfiguration]
    /// The running routers (empty while crashed).
    public internal(set) var routers: [VirtualRouter] = []
    /// False between `crash` and `restart`.
    public internal(set) var isRunning = false
    /// The node's link (`SimulatedSegment.linkInterface`).
    public internal(set) var isLinkUp = true
    /// The partition side the node is on (all 0 when healed).
    public internal(set) var side = 0
    /// Current outcome of each check script on this node (default: succeeding).
    public internal(set) var checkOutcomes: [String: Bool] = [:]
    /// How often check scripts run.
    public let checkInterval: Duration
    /// When the next check round runs.
    var nextCheck: VRRPInstant?
    /// Addresses configured on the node, per router index (what `add`/`remove` did).
    public internal(set) var installedAddresses: [Set<IPAddress>] = []
    /// Bumped on every restart, so traces can tell router lifetimes apart.
    public internal(set) var incarnation = 0
    /// When set, all the node's instances form one `vrrp_sync_group` of this name.
    public let syncGroupName: String?
    /// The running sync group (its members are mirrored in `routers`).
    public internal(set) var syncGroup: SyncGroup?

    init(name: String, address: IPAddress, configurations: [VirtualRouterConfiguration], checkInterval: Duration, syncGroupName: String?) {
        self.syncGroupName = syncGroupName
        self.name = name
        self.address = address
        self.configurations = configurations
        self.checkInterval = checkInterval
        installedAddresses = Array(repeating: [], count: configurations.count)
    }

    /// Every script name tracked by any instance of this node.
    var trackedScripts: [String] {
        var seen: [String] = []
        for c in configurations { for s in c.trackedScripts where !seen.contains(s.name) { seen.append(s.name) } }
        return seen
    }
}
