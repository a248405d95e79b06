import FailoverConfig
import VRRPCore
import VRRPWire

/// Why a validated configuration cannot be run on this node (decided only with
/// knowledge of the node: its interfaces and addresses).
public struct RuntimePlanError: Error, Hashable, Sendable, CustomStringConvertible {
    public var instance: String
    public var message: String

    public var description: String { "vrrp_instance \(instance): \(message)" }
}

extension RuntimePlan {
    /// Resolves a validated configuration for this node.
    ///
    /// - Parameter primaryAddress: the interface's primary address of a family (the
    ///   source of adverts unless `unicast_src_ip`/`mcast_src_ip` say otherwise);
    ///   the daemon asks the kernel, tests pass a table.
    /// - Returns: the plan, or every instance that cannot run, at once.
    public static func resolve(
        _ configuration: Configuration,
        primaryAddress: (_ interface: String, _ family: AddressFamily) -> IPAddress?
    ) -> Result<RuntimePlan, RuntimePlanErrors> {
        let globals = configuration.globalDefinitions
        var errors: [RuntimePlanError] = []
        var instances: [RuntimeInstance] = []
        let user = globals.defaultScriptUser
        for instance in configuration.instances {
            let family = instance.addressFamily
            guard let source = instance.unicastSourceIP ?? instance.multicastSourceIP
                ?? primaryAddress(instance.interface, family) else {
                errors.append(RuntimePlanError(instance: instance.name,
                    message: "interface \(instance.interface) has no \(family == .ipv4 ? "IPv4" : "IPv6") address to send adverts from"))
                continue
            }
            let router = VirtualRouterConfiguration(
                name: instance.name,
                virtualRouterID: instance.virtualRouterID,
                version: instance.effectiveVersion(globals),
                family: family,
                priority: instance.priority,
                advertisementInterval: instance.advertisementInterval,
                primaryAddress: source,
                virtualAddresses: instance.virtualIPAddresses.map(\.address),
                authentication: instance.authentication,
                initialState: instance.state == .master ? .master : .backup,
                nopreempt: instance.preemption == .disabled,
                preemptDelay: { if case .delayed(let d) = instance.preemption { d } else { .zero } }(),
                trackedScripts: instance.effectiveTrackedScripts(in: configuration).map {
                    TrackedScript(name: $0.script.name, weight: $0.weight, reverse: $0.reverse,
                                           rise: $0.script.rise, fall: $0.script.fall, initFail: $0.script.initFail)
                },
                trackedInterfaces: trackedInterfaces(instance),
                announcements: AnnouncementSettings(
                    masterRepeat: instance.effectiveGarpMasterRepeat(globals),
                    masterDelay: instance.effectiveGarpMasterDelay(globals),
                    masterRefresh: instance.effectiveGarpMasterRefresh(globals),
                    masterRefreshRepeat: globals.garpMasterRefreshRepeat,
                    lowerPriorityRepeat: globals.garpLowerPriorityRepeat ?? instance.effectiveGarpMasterRepeat(globals)),
                downTimerAdverts: instance.downTimerAdverts,
                acceptMode: instance.effectiveAccept(globals))
            let multicast: IPAddress = family == .ipv4 ? .v4(globals.multicastGroup4) : .v6(globals.multicastGroup6)
            instances.append(RuntimeInstance(
                router: router,
                interface: instance.interface,
                destinations: instance.unicastPeers.isEmpty ? [multicast] : instance.unicastPeers,
                unicastPeers: instance.unicastPeers,
                virtualAddresses: instance.virtualIPAddresses.map { spec($0, instance) },
                excludedAddresses: instance.excludedVirtualIPAddresses.map { spec($0, instance) },
                notify: NotifySpec(instance.notifyScripts, globals: globals, user: user)))
        }
        guard errors.isEmpty else { return .failure(RuntimePlanErrors(errors: errors)) }
        let used = Set(instances.flatMap { $0.router.trackedScripts.map(\.name) })
        let scripts = configuration.scripts.filter { used.contains($0.name) }.map { CheckScriptSpec($0, defaultUser: user) }
        let groups = configuration.syncGroups.map {
            RuntimeSyncGroup(name: $0.name, members: $0.group,
                             notify: NotifySpec($0.notifyScripts, globals: globals, user: user))
        }
        return .success(RuntimePlan(instances: instances, syncGroups: groups, checkScripts: scripts,
                                    enableScriptSecurity: globals.enableScriptSecurity))
    }

    /// keepalived tracks the instance's own interface (weight 0: link down → FAULT)
    /// unless told otherwise, so it is always first.
    private static func trackedInterfaces(_ instance: VRRPInstance) -> [TrackedInterface] {
        var result = [TrackedInterface(name: instance.interface)]
        for entry in instance.trackInterfaces where entry.name != instance.interface {
            result.append(TrackedInterface(name: entry.name, weight: entry.weight ?? 0, reverse: entry.reverse))
        }
        return result
    }

    private static func spec(_ vip: VirtualIPAddress, _ instance: VRRPInstance) -> VirtualAddressSpec {
        VirtualAddressSpec(address: vip.address, prefixLength: vip.prefixLength, interface: vip.device ?? instance.interface,
                           label: vip.label, scope: vip.scope)
    }
}

/// Every instance that cannot run on this node.
public struct RuntimePlanErrors: Error, Hashable, Sendable, CustomStringConvertible {
    public var errors: [RuntimePlanError]
    public var description: String { errors.map(\.description).joined(separator: "\n") }
}
