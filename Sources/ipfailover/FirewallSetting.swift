import ArgumentParser
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
    /// Where the rule goes, or nil when nothing asks for one. `--firewall` (read like
    /// OPENSHIFT_HA_NFTABLES_RULE) wins, then the environment as the schema reads it.
    /// A value that is not valid prints errors naming the variable and exits 3.
    static func placement(flag: String?, environment: [String: String]) throws -> FirewallRule.Placement? {
        let request: FirewallRequest?
        if let flag, flag.contains(where: { $0 != " " && $0 != "\t" }) {
            do {
                request = try FirewallRequest(nftablesRule: flag)
            } catch {
                printError("--firewall: \(error.message)")
                throw ExitCode(CheckConfigStatus.cannotRun.rawValue)
            }
        } else {
            let (fromEnvironment, diagnostics) = OpenShiftEnvironment.firewall(environment)
            guard diagnostics.isEmpty else {
                for diagnostic in diagnostics { printError(diagnostic.description) }
                throw ExitCode(CheckConfigStatus.cannotRun.rawValue)
            }
            request = fromEnvironment
        }
        return request.map(placement)
    }

    /// The rule placement for a validated request.
    static func placement(_ request: FirewallRequest) -> FirewallRule.Placement {
        switch request {
        case .ownTable: .ownTable(name: "ipfailover")
        case let .existingChain(family, table, chain): .existingChain(family: family, table: table, chain: chain)
        }
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
