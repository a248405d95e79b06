import Testing
import FailoverConfig

/// The firewall variables as the runtime reads them (one parser for the flag and both variables).
@Suite("OPENSHIFT_HA_NFTABLES_RULE / OPENSHIFT_HA_IPTABLES_CHAIN")
struct FirewallRequestTests {
    @Test("FAMILY TABLE CHAIN names a chain; any other value asks for our own table; NFTABLES_RULE wins")
    func requests() throws {
        #expect(try FirewallRequest(nftablesRule: "inet filter input") == .existingChain(family: "inet", table: "filter", chain: "input"))
        #expect(try FirewallRequest(nftablesRule: "true") == .ownTable)
        #expect(try FirewallRequest(nftablesRule: "allow vrrp please") == .ownTable)
        #expect(try FirewallRequest(iptablesChain: "KUBE-FIREWALL") == .existingChain(family: "ip", table: "filter", chain: "KUBE-FIREWALL"))
        let both = OpenShiftEnvironment.firewall(["OPENSHIFT_HA_NFTABLES_RULE": "yes", "OPENSHIFT_HA_IPTABLES_CHAIN": "INPUT"])
        #expect(both.request == .ownTable && both.diagnostics.isEmpty)
        let chain = OpenShiftEnvironment.firewall(["OPENSHIFT_HA_IPTABLES_CHAIN": "INPUT"])
        #expect(chain.request == .existingChain(family: "ip", table: "filter", chain: "INPUT"))
        #expect(OpenShiftEnvironment.firewall([:]).request == nil)
    }

    @Test("Names that would add nft commands are refused, naming the variable")
    func nftNamesAreChecked() {
        for (name, value) in [("OPENSHIFT_HA_NFTABLES_RULE", "inet filter input;flush"),
                              ("OPENSHIFT_HA_NFTABLES_RULE", "ip fil{ter input"),
                              ("OPENSHIFT_HA_IPTABLES_CHAIN", "INPUT\nflush ruleset"),
                              ("OPENSHIFT_HA_IPTABLES_CHAIN", "INPUT;delete")] {
            let (request, diagnostics) = OpenShiftEnvironment.firewall([name: value])
            #expect(request == nil)
            #expect(diagnostics.count == 1 && diagnostics[0].location == .environment(name), "\(value): \(diagnostics)")
        }
        // The whole environment is refused too (the same schema entry).
        let (settings, diagnostics) = OpenShiftEnvironment.parse(["OPENSHIFT_HA_VIRTUAL_IPS": "198.51.100.1",
                                                                  "OPENSHIFT_HA_IPTABLES_CHAIN": "IN;PUT"])
        #expect(settings == nil && diagnostics.map(\.location) == [.environment("OPENSHIFT_HA_IPTABLES_CHAIN")])
    }

    @Test("render --env-help --markdown: every row has five cells even where a cell holds '|'")
    func tableRowsKeepTheirColumns() {
        for row in EnvironmentSchema.markdownTable().split(separator: "\n") {
            var cells = 0, previous: Character = " "
            for c in row {
                if c == "|", previous != "\\" { cells += 1 }
                previous = c
            }
            #expect(cells == 6, "\(row)")
        }
    }
}
