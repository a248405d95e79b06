import FailoverConfig
import LinuxNetworking
import VRRPWire

/// The nftables rule admitting VRRP that `run` ensures and `cleanup` removes.
/// env mode asks for it with OPENSHIFT_HA_NFTABLES_RULE or OPENSHIFT_HA_IPTABLES_CHAIN
/// (any other mode with `--firewall`):
/// - `FAMILY TABLE CHAIN` (e.g. `inet filter input`): rules go at the head of that
///   existing chain, which is what works when the host's own chain drops by default;
/// - an iptables chain name such as `INPUT`: the same chain as iptables-nft names it
///   (`ip filter INPUT`);
/// - anything else non-empty (`true`, `yes`): our own `table inet ipfailover`.
/// The rule admits protocol 112 on each VRRP interface from the multicast groups
/// and every unicast peer (the image's rule admitted multicast only).
enum FirewallSetting {
    static func placement(_ spec: String) -> FirewallRule.Placement {
        let words = spec.split(separator: " ").map(String.init)
        if words.count == 3 { return .existingChain(family: words[0], table: words[1], chain: words[2]) }
        if words.count == 1, words[0].uppercased() == words[0], words[0].first?.isLetter == true {
            return .existingChain(family: "ip", table: "filter", chain: words[0])
        }
        return .ownTable(name: "ipfailover")
    }

    /// The spec from `--firewall` or the environment, if any.
    static func spec(flag: String?, environment: [String: String]) -> String? {
        for candidate in [flag, environment["OPENSHIFT_HA_NFTABLES_RULE"], environment["OPENSHIFT_HA_IPTABLES_CHAIN"]] {
            if let text = candidate?.trimmingSpaces, !text.isEmpty { return text }
        }
        return nil
    }

    /// One rule per VRRP interface of the configuration.
    static func rules(for configuration: Configuration, spec: String) -> [FirewallRule] {
        let globals = configuration.globalDefinitions
        return Dictionary(grouping: configuration.instances, by: \.interface).sorted { $0.key < $1.key }.map { interface, instances in
            let groups = instances.filter { !$0.isUnicast }.map { instance -> IPAddress in
                instance.addressFamily == .ipv4 ? .v4(globals.multicastGroup4) : .v6(globals.multicastGroup6)
            }
            return FirewallRule(
                interface: interface,
                multicastGroups: Array(Set(groups)).sorted(),
                unicastPeers: Array(Set(instances.flatMap(\.unicastPeers))).sorted(),
                placement: placement(spec))
        }
    }
}

extension String {
    var trimmingSpaces: String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
