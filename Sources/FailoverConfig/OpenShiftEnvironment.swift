import VRRPWire

/// The typed `OPENSHIFT_HA_*` settings of the OpenShift `ipfailover-keepalived` image.
/// Filled only through `EnvironmentSchema` (one table: name, type, default, doc,
/// validation), so the documentation and the parser cannot drift apart.
public struct OpenShiftEnvironment: Hashable, Sendable {
    /// OPENSHIFT_HA_CONFIG_NAME.
    public var configName = ""
    /// OPENSHIFT_HA_VIRTUAL_IPS, ranges expanded.
    public var virtualIPs: [IPAddress] = []
    /// OPENSHIFT_HA_VIP_GROUPS; nil = one VIP per instance.
    public var vipGroups: Int?
    /// OPENSHIFT_HA_NETWORK_INTERFACE; nil = the node's detected interface.
    public var networkInterface: String?
    /// OPENSHIFT_HA_MONITOR_PORT; 0 = no check.
    public var monitorPort: UInt16 = 80
    /// OPENSHIFT_HA_CHECK_SCRIPT; replaces the TCP check.
    public var checkScript: String?
    /// OPENSHIFT_HA_CHECK_INTERVAL.
    public var checkInterval: Duration = .seconds(2)
    /// OPENSHIFT_HA_NOTIFY_SCRIPT.
    public var notifyScript: String?
    /// OPENSHIFT_HA_PREEMPTION.
    public var preemption: Preemption = .delayed(.seconds(300))
    /// OPENSHIFT_HA_VRRP_ID_OFFSET.
    public var vrrpIDOffset = 10
    /// HA_EXCLUDED_VRRP_IDS.
    public var excludedVRRPIDs: Set<Int> = []
    /// OPENSHIFT_HA_REPLICA_COUNT.
    public var replicaCount = 1
    /// OPENSHIFT_HA_UNICAST_PEERS; non-empty switches to unicast.
    public var unicastPeers: [IPAddress] = []
    /// UNICAST_SOURCE_IPADDRESS: unicast_src_ip instead of the node's own address.
    public var unicastSource: IPAddress?
    /// MULTICAST_SOURCE_IPADDRESS: mcast_src_ip.
    public var multicastSource: IPAddress?
    /// OPENSHIFT_HA_USE_UNICAST (read only to warn: the image never used it).
    public var useUnicast = false
    /// OPENSHIFT_HA_IPTABLES_CHAIN: rules admitting VRRP at the head of that chain.
    public var iptablesChain: FirewallRequest?
    /// OPENSHIFT_HA_NFTABLES_RULE: rules admitting VRRP (an existing chain or our own table).
    public var nftablesRule: FirewallRequest?

    /// Where the runtime ensures the VRRP firewall rules: OPENSHIFT_HA_NFTABLES_RULE
    /// wins over OPENSHIFT_HA_IPTABLES_CHAIN (the image's precedence); nil = none.
    public var firewall: FirewallRequest? { nftablesRule ?? iptablesChain }

    public init() {}

    /// Parses the environment: every `EnvironmentSchema` variable (unset or empty →
    /// its default), unknown `OPENSHIFT_HA_*` names warned about. nil when a required
    /// variable is missing or a value is invalid; all problems are reported.
    public static func parse(_ environment: [String: String]) -> (settings: OpenShiftEnvironment?, diagnostics: [Diagnostic]) {
        var settings = OpenShiftEnvironment()
        var diagnostics: [Diagnostic] = []
        var failed = false
        for variable in EnvironmentSchema.variables {
            let given = environment[variable.name].flatMap { $0.isEmpty ? nil : $0 }
            guard let text = given ?? variable.defaultValue else {
                if variable.isRequired {
                    diagnostics.append(Diagnostic(.cannotRun, .environment(variable.name),
                        "is required (\(variable.validation))"))
                    failed = true
                }
                continue
            }
            do {
                try variable.apply(text, &settings)
                if given != nil, let note = variable.note(text) {
                    diagnostics.append(Diagnostic(.adjusted, .environment(variable.name), note))
                }
            } catch {
                diagnostics.append(Diagnostic(.cannotRun, .environment(variable.name), error.message))
                failed = true
            }
        }
        let known = Set(EnvironmentSchema.variables.map(\.name))
        for name in environment.keys.sorted() where name.hasPrefix("OPENSHIFT_HA_") && !known.contains(name) {
            diagnostics.append(Diagnostic(.adjusted, .environment(name), "unknown variable; ignored"))
        }
        if let strategy = environment["OPENSHIFT_HA_PREEMPTION"], strategy.contains("preempt_nodelay") {
            diagnostics.append(Diagnostic(.adjusted, .environment("OPENSHIFT_HA_PREEMPTION"),
                "'preempt_nodelay' (a typo in the OpenShift documentation) is read as 'preempt_delay'"))
        }
        if settings.useUnicast, settings.unicastPeers.isEmpty {
            diagnostics.append(Diagnostic(.adjusted, .environment("OPENSHIFT_HA_USE_UNICAST"),
                "has no effect: unicast is enabled by a non-empty OPENSHIFT_HA_UNICAST_PEERS alone"))
        }
        return (failed ? nil : settings, diagnostics)
    }

    /// The firewall request alone, read through the same schema entries: it applies in
    /// every mode (a `--config` daemon honours the variables too), where the rest of
    /// the environment need not be valid. Errors name the variable.
    public static func firewall(_ environment: [String: String]) -> (request: FirewallRequest?, diagnostics: [Diagnostic]) {
        var settings = OpenShiftEnvironment()
        var diagnostics: [Diagnostic] = []
        for name in ["OPENSHIFT_HA_IPTABLES_CHAIN", "OPENSHIFT_HA_NFTABLES_RULE"] {
            guard let variable = EnvironmentSchema.variable(name), let text = environment[name], !text.isEmpty else { continue }
            do {
                try variable.apply(text, &settings)
            } catch {
                diagnostics.append(Diagnostic(.cannotRun, .environment(name), error.message))
            }
        }
        return (diagnostics.isEmpty ? settings.firewall : nil, diagnostics)
    }
}

/// A problem with one environment value; the message names the entry and the expectation.
public struct EnvironmentValueError: Error, Hashable, Sendable {
    /// The problem, naming the bad entry and what was expected.
    public var message: String
    public init(_ message: String) { self.message = message }
}
