import FailoverConfig
import LinuxNetworking
import VRRPWire

/// The nftables rule admitting VRRP that `run` ensures and `cleanup` removes.
/// env mode asks for it with OPENSHIFT_HA_NFTABLES_RULE or OPENSHIFT_HA_IPTABLES_CHAIN
/// (any mode: `--firewall`):
/// - `--firewall` / OPENSHIFT_HA_NFTABLES_RULE `FAMILY TABLE CHAIN` (e.g. `inet filter
///   input`): rules at the head of that existing chain, which is what works when the
///   host's own chain drops by default; any other value (`own`, `true`): our own
///   `table inet ipfailover`;
/// - OPENSHIFT_HA_IPTABLES_CHAIN `CHAIN`: that chain as iptables-nft names it
///   (`ip filter CHAIN`), as the image inserted its iptables rule there.
/// The rule admits protocol 112 on each VRRP interface from the multicast groups
/// and every unicast peer (the image's rule admitted multicast only).
enum FirewallSetting {
    /// Where the rule goes, or nil when nothing asks for one. `--firewall` wins,
    /// then OPENSHIFT_HA_NFTABLES_RULE, then OPENSHIFT_HA_IPTABLES_CHAIN.
    static func placement(flag: String?, environment: [String: String]) -> FirewallRule.Placement? {
        let nonEmpty = { (text: String?) in text.map(\.trimmingSpaces).flatMap { $0.isEmpty ? nil : $0 } }
        if let spec = nonEmpty(flag) ?? nonEmpty(environment["OPENSHIFT_HA_NFTABLES_RULE"]) {
            let words = spec.split(separator: " ").map(String.init)
            if words.count == 3 { return .existingChain(family: words[0], table: words[1], chain: words[2]) }
            return .ownTable(name: "ipfailover")
        }
        if let chain = nonEmpty(environment["OPENSHIFT_HA_IPTABLES_CHAIN"]) {
            // The chain as iptables-nft names it.
            return .existingChain(family: "ip", table: "filter", chain: chain)
        }
        return nil
    }

    /// One rule per VRRP interface of the configuration.
    static func rules(for configuration: Configuration, placement: FirewallRule.Placement) -> [FirewallRule] {
        let globals = configuration.globalDefinitions
        return Dictionary(grouping: configuration.instances, by: \.interface).sorted { $0.key < $1.key }.map { interface, instances in
            let groups = instances.filter { !$0.isUnicast }.map { instance -> IPAddress in
                instance.addressFamily == .ipv4 ? .v4(globals.multicastGroup4) : .v6(globals.multicastGroup6)
            }
            return FirewallRule(
                interface: interface,
                multicastGroups: Array(Set(groups)).sorted(),
                unicastPeers: Array(Set(instances.flatMap(\.unicastPeers))).sorted(),
                placement: placement)
        }
    }
}

extension String {
    var trimmingSpaces: String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
