/// The validated configuration of one ipfailover node: what keepalived.conf's VRRP
/// subset or the OPENSHIFT_HA_* environment says, with keepalived's defaults filled in.
/// Both front ends produce it; `KeepalivedRenderer` writes it back out.
public struct Configuration: Hashable, Sendable {
    /// `global_defs`.
    public var globalDefinitions: GlobalDefinitions
    /// `vrrp_script` blocks, in file order.
    public var scripts: [VRRPScript]
    /// `vrrp_instance` blocks, in file order.
    public var instances: [VRRPInstance]
    /// `vrrp_sync_group` blocks, in file order.
    public var syncGroups: [VRRPSyncGroup]

    public init(globalDefinitions: GlobalDefinitions = GlobalDefinitions(), scripts: [VRRPScript] = [],
                instances: [VRRPInstance] = [], syncGroups: [VRRPSyncGroup] = []) {
        self.globalDefinitions = globalDefinitions
        self.scripts = scripts
        self.instances = instances
        self.syncGroups = syncGroups
    }

    /// The script called `name`, if defined.
    public func script(named name: String) -> VRRPScript? {
        scripts.first { $0.name == name }
    }

    /// True when any script (check or notify) would run.
    public var usesScripts: Bool {
        !scripts.isEmpty
            || instances.contains { !$0.notifyScripts.isEmpty }
            || syncGroups.contains { !$0.notifyScripts.isEmpty }
            || globalDefinitions.notifyFifoScript != nil
    }
}

/// keepalived's initial `state`: where an instance starts before it hears adverts.
public enum InitialState: String, Hashable, Sendable {
    case master = "MASTER"
    case backup = "BACKUP"
}

/// How a higher-priority backup treats a lower-priority master (`nopreempt`,
/// `preempt_delay`).
public enum Preemption: Hashable, Sendable {
    /// RFC 5798 Preempt_Mode true: take over at once (keepalived's default).
    case immediate
    /// Take over only after this delay (keepalived `preempt_delay`, 0–1000 s), started
    /// at the first lower-priority advert.
    case delayed(Duration)
    /// `nopreempt`: never preempt a working master.
    case disabled
}
