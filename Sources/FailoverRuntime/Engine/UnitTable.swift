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
    /// context: a packet's route is copied out per packet, and a reference to one of
    /// 255 contexts would be a retain and release on a cold cache line each time.
    struct Route: Sendable {
        var unit: Int
        var instance: String
        var unicastPeers: [IPAddress]
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
                Route(unit: unit, instance: instance.name, unicastPeers: instance.unicastPeers)
            for script in instance.router.trackedScripts.map(\.name) { tracking[script, default: []].insert(unit) }
        }
        trackingUnits = tracking.mapValues { $0.sorted() }
    }

    func unit(of instance: String) -> Int? { unitOfInstance[instance] }

    func route(interface: String, family: AddressFamily, vrid: VirtualRouterID) -> Route? {
        // By index: a `for socket in routes` copies each socket's table out (retaining it).
        for i in routes.indices where routes[i].family == family && routes[i].interface == interface {
            return routes[i].byVRID[Int(vrid.rawValue)]
        }
        return nil
    }
}
