import VRRPCore
import VRRPWire

/// Everything the daemon runs, resolved from a validated configuration: the
/// core's configuration per instance plus what only the edges need (interface,
/// address details, destinations, scripts). Built by the configuration layer;
/// compared instance by instance on reload.
public struct RuntimePlan: Sendable, Hashable {
    /// One entry per `vrrp_instance`, in configuration order.
    public var instances: [RuntimeInstance]
    /// `vrrp_sync_group`s; an instance is in at most one.
    public var syncGroups: [RuntimeSyncGroup]
    /// Every `vrrp_script` referenced by some instance.
    public var checkScripts: [CheckScriptSpec]
    /// `global_defs { enable_script_security }` of the configuration, when the plan
    /// came from one (nil: keep whatever the daemon runs with).
    public var enableScriptSecurity: Bool?

    public init(instances: [RuntimeInstance], syncGroups: [RuntimeSyncGroup] = [], checkScripts: [CheckScriptSpec] = [],
                enableScriptSecurity: Bool? = nil) {
        self.instances = instances
        self.syncGroups = syncGroups
        self.checkScripts = checkScripts
        self.enableScriptSecurity = enableScriptSecurity
    }

    /// The instance with this name.
    public func instance(named name: String) -> RuntimeInstance? { instances.first { $0.name == name } }

    /// How long the receive side may leave adverts unread to read them in one go
    /// (`EngineThread.receiveCoalescing`): a tenth of the shortest advert interval, at
    /// most 10 ms, in whole milliseconds. Packets carry their kernel receive time, so
    /// this delays when an advert is acted on, never when it counts as received: no
    /// Master_Down_Timer moves. What it can delay is a master stepping down for a
    /// higher-priority advert, by at most a tenth of an interval.
    public var receiveCoalescing: Duration {
        guard let shortest = instances.map(\.router.advertisementInterval).min() else { return .zero }
        let milliseconds = min(10, Int(shortest.components.seconds) * 1000 / 10 + Int(shortest.components.attoseconds / 10_000_000_000_000_000))
        return .milliseconds(milliseconds)
    }
}

/// One `vrrp_instance` as the runtime drives it.
public struct RuntimeInstance: Sendable, Hashable {
    /// The protocol core's view of the instance.
    public var router: VirtualRouterConfiguration
    /// The interface VRRP runs on (`interface`).
    public var interface: String
    /// Where adverts go: the multicast group, or every `unicast_peer`.
    public var destinations: [IPAddress]
    /// With unicast peers, adverts from any other source are rejected.
    public var unicastPeers: [IPAddress]
    /// The kernel-side details of each virtual address, in `router.virtualAddresses` order.
    public var virtualAddresses: [VirtualAddressSpec]
    /// `virtual_ipaddress_excluded`: held with the VIPs but not advertised.
    public var excludedAddresses: [VirtualAddressSpec]
    /// Notify scripts of the instance.
    public var notify: NotifySpec

    public init(router: VirtualRouterConfiguration, interface: String, destinations: [IPAddress],
                unicastPeers: [IPAddress] = [], virtualAddresses: [VirtualAddressSpec]? = nil,
                excludedAddresses: [VirtualAddressSpec] = [], notify: NotifySpec = NotifySpec()) {
        self.router = router
        self.interface = interface
        self.destinations = destinations
        self.unicastPeers = unicastPeers
        self.virtualAddresses = virtualAddresses
            ?? router.virtualAddresses.map { VirtualAddressSpec(address: $0, interface: interface) }
        self.excludedAddresses = excludedAddresses
        self.notify = notify
    }

    public var name: String { router.name }
}

/// One `vrrp_sync_group`.
public struct RuntimeSyncGroup: Sendable, Hashable {
    public var name: String
    /// Member instance names.
    public var members: [String]
    /// The group's notify scripts (`GROUP` notifications).
    public var notify: NotifySpec

    public init(name: String, members: [String], notify: NotifySpec = NotifySpec()) {
        self.name = name
        self.members = members
        self.notify = notify
    }
}
