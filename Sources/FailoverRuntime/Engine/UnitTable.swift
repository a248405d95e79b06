import Logging
import VRRPCore
import VRRPWire

/// What the engine drives, built from one plan: the units (lone routers and sync
/// groups) in one array, and the lookups every event needs — a received packet's
/// unit by (interface, family, VRID), an instance's settings and logger, the units a
/// check script's result concerns. Built once per plan (start, reload); an event
/// costs one lookup, not a walk over the instances.
struct UnitTable: Sendable {
    /// Where a received packet goes, and the instance's `unicast_peer` list (empty for
    /// multicast) that its source must be on. Holds no reference to the instance's
    /// context, and on an accepted packet's path it is read in place (`deliver`),
    /// never copied out: each of its arrays and strings copied would be a retain and a release per
    /// packet, on a cold cache line with 255 instances.
    struct Route: Sendable {
        var unit: Int
        var instance: String
        var unicastPeers: [IPAddress]
        /// Whether the unit is a sync group, whose members an advert is for by name.
        var isGroupMember: Bool
    }

    /// Where `PacketIntake` found a packet's route: its socket's table and its VRID
    /// (an index into that table and into `PacketIntake`'s decoded adverts).
    struct RouteIndex: Sendable {
        var socket: Int
        var vrid: Int
    }

    /// The routes of one receiving socket (interface and family), indexed by VRID.
    struct SocketRoutes: Sendable {
        var interface: String
        var family: AddressFamily
        var byVRID: [Route?] = Array(repeating: nil, count: 256)
    }

    var units: [DrivenUnit] = []
    /// Instance name → index into `units`.
    private(set) var unitOfInstance: [String: Int] = [:]
    /// Instance name → settings and logger.
    private(set) var contexts: [String: InstanceContext] = [:]
    /// A packet's route: its socket's table (a handful, searched in place), then its
    /// VRID as an index — no key built and nothing hashed per packet.
    private(set) var routes: [SocketRoutes] = []
    /// Check script name → the units with a member that tracks it, ascending.
    private(set) var trackingUnits: [String: [Int]] = [:]

    init() {}

    init(plan: RuntimePlan, logger: Logger) {
        let byName = Dictionary(plan.instances.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        contexts = byName.mapValues { InstanceContext(instance: $0, logger: logger) }
        var grouped = Set<String>()
        for group in plan.syncGroups {
            let members = group.members.compactMap { byName[$0] }.map { VirtualRouter(configuration: $0.router) }
            guard !members.isEmpty else { continue }
            for m in members { unitOfInstance[m.name] = units.count; grouped.insert(m.name) }
            units.append(.group(SyncGroup(name: group.name, members: members)))
        }
        for instance in plan.instances where !grouped.contains(instance.name) && unitOfInstance[instance.name] == nil {
            unitOfInstance[instance.name] = units.count
            units.append(.instance(VirtualRouter(configuration: instance.router)))
        }
        var tracking: [String: Set<Int>] = [:]
        for instance in plan.instances {
            guard let unit = unitOfInstance[instance.name] else { continue }
            let family = instance.router.family
            var socket = routes.firstIndex { $0.interface == instance.interface && $0.family == family }
            if socket == nil {
                routes.append(SocketRoutes(interface: instance.interface, family: family))
                socket = routes.count - 1
            }
            routes[socket!].byVRID[Int(instance.router.virtualRouterID.rawValue)] =
                Route(unit: unit, instance: instance.name, unicastPeers: instance.unicastPeers,
                      isGroupMember: grouped.contains(instance.name))
            for script in instance.router.trackedScripts.map(\.name) { tracking[script, default: []].insert(unit) }
        }
        trackingUnits = tracking.mapValues { $0.sorted() }
    }

    func unit(of instance: String) -> Int? { unitOfInstance[instance] }

    /// The route of a packet from `interface` (`family`) for `vrid`, if one is configured.
    func routeIndex(interface: String, family: AddressFamily, vrid: VirtualRouterID) -> RouteIndex? {
        // By index: a `for socket in routes` copies each socket's table out (retaining it).
        for i in routes.indices where routes[i].family == family && routes[i].interface == interface {
            let vrid = Int(vrid.rawValue)
            return routes[i].byVRID[vrid] == nil ? nil : RouteIndex(socket: i, vrid: vrid)
        }
        return nil
    }

    /// The route at `index` (from `routeIndex`), copied out: for a rejection's
    /// instance name, which is rare.
    func route(_ index: RouteIndex) -> Route { routes[index.socket].byVRID[index.vrid]! }

    /// Whether `source` may send adverts on the route at `index`: any source for
    /// multicast, a listed `unicast_peer` for unicast. Read in place.
    func admits(_ source: IPAddress, _ index: RouteIndex) -> Bool {
        routes[index.socket].byVRID[index.vrid]!.unicastPeers.isEmpty
            || routes[index.socket].byVRID[index.vrid]!.unicastPeers.contains(source)
    }

    /// An advert delivered: the unit it went to and the actions it returned.
    struct Delivered {
        var unit: Int
        var actions: [TaggedAction]
    }

    /// Passes `inbound` through `intake`'s receive checks and, if it passes, hands the
    /// advert to its unit in place. One mutating call for the whole path: inside it
    /// the units, the routes and the decoded advert are read where they are. A backup
    /// takes 2,550 adverts a second at 255 instances × 0.1 s, and each array or string
    /// copied on the way would be a retain and a release per packet.
    mutating func deliver(_ inbound: InboundPacket, through intake: inout PacketIntake,
                          now: VRRPInstant) -> Result<Delivered, PacketIntake.Rejected> {
        let accepted: PacketIntake.Accepted
        switch intake.check(inbound, in: self) {
        case .failure(let rejected): return .failure(rejected)
        case .success(let a): accepted = a
        }
        // Each field read where it is: `let route = routes[…]!` would copy (retain) its
        // string and array.
        let unit = routes[accepted.route.socket].byVRID[accepted.route.vrid]!.unit
        // Only a sync group needs the member's name: a lone router copies no string.
        let member = routes[accepted.route.socket].byVRID[accepted.route.vrid]!.isGroupMember
            ? routes[accepted.route.socket].byVRID[accepted.route.vrid]!.instance : ""
        let actions = intake.withAdvert(accepted) { advert in
            units[unit].advertisementReceived(advert, from: accepted.source, instance: member, now: now)
        }
        return .success(Delivered(unit: unit, actions: actions))
    }
}
