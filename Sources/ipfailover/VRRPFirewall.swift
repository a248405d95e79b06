import FailoverConfig
import LinuxNetworking

/// The firewall rule admitting VRRP that env mode asks for, shared by `run`
/// (installs it) and `cleanup` (removes it).
enum VRRPFirewall {
    /// The rule env mode asks for: OPENSHIFT_HA_NFTABLES_RULE → our own table;
    /// OPENSHIFT_HA_IPTABLES_CHAIN → our tagged rules in that chain of iptables-nft's
    /// `ip filter` table. nil when neither is set.
    static func rule(_ settings: OpenShiftEnvironment, configuration: Configuration) -> FirewallRule? {
        guard let interface = configuration.instances.first?.interface else { return nil }
        let peers = Array(Set(configuration.instances.flatMap(\.unicastPeers))).sorted { $0.description < $1.description }
        if settings.nftablesRule != nil {
            return FirewallRule(interface: interface, unicastPeers: peers)
        }
        if let chain = settings.iptablesChain {
            return FirewallRule(interface: interface, unicastPeers: peers,
                                placement: .existingChain(family: "ip", table: "filter", chain: chain))
        }
        return nil
    }
}
