import FailoverConfig
import VRRPCore
import VRRPWire

/// What the daemon would run, every default resolved (`ipfailover config`, as
/// `keepalived -d` dumps it): built from the `RuntimePlan` the daemon itself resolves
/// and each instance's configuration after the core's adjustments
/// (`VirtualRouterConfiguration.normalized()`), so what it shows is what runs.
public struct EffectiveConfiguration: Encodable, Sendable, Hashable {
    /// `global_defs`, defaults filled in.
    public var globals: Globals
    /// One per `vrrp_instance`, in configuration order.
    public var instances: [Instance]
    /// `vrrp_sync_group`s.
    public var syncGroups: [SyncGroup]

    /// The settings of `global_defs` that change what the daemon does.
    public struct Globals: Encodable, Sendable, Hashable {
        public var routerID: String?
        public var vrrpVersion: Int
        public var vrrpStrict: Bool
        public var enableScriptSecurity: Bool
        /// `script_user [group]`; nil: `keepalived_script` if it exists, else root.
        public var scriptUser: String?
        public var multicastGroup4: String
        public var multicastGroup6: String
        public var garpIntervalSeconds: Double
        public var gnaIntervalSeconds: Double
        public var notifyFifo: String?
        public var notifyFifoScript: String?
    }

    /// One `vrrp_instance` as it runs.
    public struct Instance: Encodable, Sendable, Hashable {
        public var name: String
        /// `state` after the core's adjustments (an owner starts MASTER).
        public var state: String
        public var interface: String
        public var virtualRouterID: Int
        public var priority: Int
        public var advertIntervalSeconds: Double
        public var version: Int
        public var family: String
        /// Source of the adverts; nil when the interface has no address of the family here.
        public var sourceAddress: String?
        /// Where adverts go: the multicast group or each unicast peer.
        public var destinations: [String]
        public var unicast: Bool
        /// False with `nopreempt`.
        public var preempt: Bool
        public var preemptDelaySeconds: Double
        /// `none` or `PASS` (the password itself is not shown).
        public var authentication: String
        public var downTimerAdverts: Int
        public var accept: Bool
        public var garpMasterRepeat: Int
        /// Delay of the second burst; nil: no second burst.
        public var garpMasterDelaySeconds: Double?
        /// nil: no periodic refresh.
        public var garpMasterRefreshSeconds: Double?
        public var garpMasterRefreshRepeat: Int
        public var garpLowerPriorityRepeat: Int
        public var trackInterfaces: [TrackedLink]
        public var trackScripts: [TrackedCheck]
        public var virtualIPAddresses: [String]
        public var excludedIPAddresses: [String]
        public var notify: Notify
        /// The `vrrp_sync_group` the instance belongs to.
        public var syncGroup: String?
        /// keepalived's silent adjustments to this instance, each said.
        public var adjustments: [String]
    }

    /// A `track_interface` entry (the instance's own interface is always first).
    public struct TrackedLink: Encodable, Sendable, Hashable {
        public var name: String
        public var weight: Int
        public var reverse: Bool
    }

    /// A `track_script` entry with its `vrrp_script`.
    public struct TrackedCheck: Encodable, Sendable, Hashable {
        public var name: String
        /// The instance's weight (its own, else the script's); 0: FAULT while down.
        public var weight: Int
        public var reverse: Bool
        public var script: String?
        public var intervalSeconds: Double?
        public var timeoutSeconds: Double?
        public var rise: Int
        public var fall: Int
        public var initFail: Bool
        public var user: String?
    }

    /// Notify commands and the user they run as.
    public struct Notify: Encodable, Sendable, Hashable {
        public var notify: String?
        public var notifyMaster: String?
        public var notifyBackup: String?
        public var notifyFault: String?
        public var notifyStop: String?
        public var fifo: String?
        public var user: String?
    }

    /// One `vrrp_sync_group`.
    public struct SyncGroup: Encodable, Sendable, Hashable {
        public var name: String
        public var members: [String]
        public var notify: Notify
    }

    /// - Parameters:
    ///   - plan: what `RuntimePlan.resolve` made of the configuration.
    ///   - globals: the configuration's `global_defs`.
    ///   - unresolvedSources: instances whose interface had no address to send adverts
    ///     from (their `sourceAddress` is shown as nil).
    public init(plan: RuntimePlan, globals: GlobalDefinitions, unresolvedSources: Set<String> = []) {
        self.globals = Globals(
            routerID: globals.routerID, vrrpVersion: globals.vrrpVersion == .v2 ? 2 : 3, vrrpStrict: globals.vrrpStrict,
            enableScriptSecurity: globals.enableScriptSecurity,
            scriptUser: globals.defaultScriptUser.map(Self.describe),
            multicastGroup4: "\(IPAddress.v4(globals.multicastGroup4))",
            multicastGroup6: "\(IPAddress.v6(globals.multicastGroup6))",
            garpIntervalSeconds: Self.seconds(globals.garpInterval), gnaIntervalSeconds: Self.seconds(globals.gnaInterval),
            notifyFifo: globals.notifyFifo, notifyFifoScript: globals.notifyFifoScript)
        let scripts = Dictionary(plan.checkScripts.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let groupOf = Dictionary(plan.syncGroups.flatMap { g in g.members.map { ($0, g.name) } },
                                 uniquingKeysWith: { first, _ in first })
        instances = plan.instances.map { instance in
            let (router, warnings) = instance.router.normalized()
            let a = router.announcements
            return Instance(
                name: router.name, state: router.initialState.rawValue, interface: instance.interface,
                virtualRouterID: Int(router.virtualRouterID.rawValue), priority: Int(router.priority.rawValue),
                advertIntervalSeconds: Self.seconds(router.advertisementInterval),
                version: router.version == .v2 ? 2 : 3, family: router.family == .ipv4 ? "IPv4" : "IPv6",
                sourceAddress: unresolvedSources.contains(router.name) ? nil : "\(router.primaryAddress)",
                destinations: instance.destinations.map { "\($0)" }, unicast: !instance.unicastPeers.isEmpty,
                preempt: !router.nopreempt, preemptDelaySeconds: Self.seconds(router.preemptDelay),
                authentication: router.authentication == .none ? "none" : "PASS",
                downTimerAdverts: router.downTimerAdverts, accept: router.acceptMode,
                garpMasterRepeat: a.masterRepeat, garpMasterDelaySeconds: a.masterDelay.map(Self.seconds),
                garpMasterRefreshSeconds: a.masterRefresh.map(Self.seconds), garpMasterRefreshRepeat: a.masterRefreshRepeat,
                garpLowerPriorityRepeat: a.lowerPriorityRepeat,
                trackInterfaces: router.trackedInterfaces.map { TrackedLink(name: $0.name, weight: $0.weight, reverse: $0.reverse) },
                trackScripts: router.trackedScripts.map { tracked in
                    let spec = scripts[tracked.name]
                    return TrackedCheck(
                        name: tracked.name, weight: tracked.weight, reverse: tracked.reverse, script: spec?.commandLine,
                        intervalSeconds: spec.map { Self.seconds($0.interval) },
                        timeoutSeconds: spec.map { Self.seconds($0.effectiveTimeout) },
                        rise: tracked.rise, fall: tracked.fall, initFail: tracked.initFail, user: spec?.user.map(Self.describe))
                },
                virtualIPAddresses: instance.virtualAddresses.map(Self.describe),
                excludedIPAddresses: instance.excludedAddresses.map(Self.describe),
                notify: Notify(instance.notify), syncGroup: groupOf[router.name],
                adjustments: warnings.map(\.description))
        }
        syncGroups = plan.syncGroups.map { SyncGroup(name: $0.name, members: $0.members, notify: Notify($0.notify)) }
    }

    static func seconds(_ duration: Duration) -> Double {
        let c = duration.components
        return Double(c.seconds) + Double(c.attoseconds) / 1e18
    }

    static func describe(_ user: ScriptUser) -> String { user.group.map { "\(user.user) \($0)" } ?? user.user }

    /// `ip addr` words: `198.51.100.1/32 dev eth0 label eth0:1 scope link`.
    static func describe(_ spec: VirtualAddressSpec) -> String {
        var text = spec.description
        if let label = spec.label { text += " label \(label)" }
        if let scope = spec.scope { text += " scope \(scope)" }
        return text
    }
}

extension EffectiveConfiguration.Notify {
    init(_ spec: NotifySpec) {
        self.init(notify: spec.generic, notifyMaster: spec.master, notifyBackup: spec.backup, notifyFault: spec.fault,
                  notifyStop: spec.stop, fifo: spec.fifoPath, user: spec.user.map(EffectiveConfiguration.describe))
    }
}
