import FailoverLab
import LinuxNetworking
import Testing
import VRRPWire

@Suite("FirewallRule rendering")
struct FirewallRuleRenderingTests {
    @Test("Admits VRRP for multicast groups and unicast peers of both families, tagged with our comment")
    func rulesCoverMulticastAndUnicast() {
        let rule = FirewallRule(interface: "eth0", unicastPeers: [IPAddress("192.0.2.11")!, IPAddress("2001:db8::11")!])
        let rules = rule.ruleBodies()
        #expect(rules.contains("iifname \"eth0\" ip daddr { 224.0.0.18 } ip protocol 112 accept comment \"ipfailover-vrrp\""))
        #expect(rules.contains("iifname \"eth0\" ip saddr { 192.0.2.11 } ip protocol 112 accept comment \"ipfailover-vrrp\""))
        #expect(rules.contains("iifname \"eth0\" ip6 daddr { ff02::12 } meta l4proto 112 accept comment \"ipfailover-vrrp\""))
        #expect(rules.contains("iifname \"eth0\" ip6 saddr { 2001:db8::11 } meta l4proto 112 accept comment \"ipfailover-vrrp\""))
    }

    @Test("An ip-family chain gets only IPv4 rules")
    func familyRestrictsRules() {
        let rule = FirewallRule(interface: "eth0", placement: .existingChain(family: "ip", table: "filter", chain: "INPUT"))
        #expect(rule.ruleBodies().allSatisfy { !$0.contains("ip6") })
    }

    @Test("Handles of our rules are found in `nft -a` listings, others ignored")
    func handlesAreParsed() {
        let listing = """
        table inet filter {
            chain input { # handle 1
                iifname "eth0" ip protocol 112 accept comment "ipfailover-vrrp" # handle 7
                tcp dport 22 accept # handle 3
                iifname "eth0" meta l4proto 112 accept comment "ipfailover-vrrp" # handle 9
            }
        }
        """
        #expect(FirewallRule(interface: "eth0").handles(inListing: listing) == [7, 9])
    }

    @Test("A missing nft is reported as unavailable, with what to do")
    func missingNftIsExplained() async throws {
        do {
            try await NFTables(executable: "/nonexistent/nft").install(FirewallRule(interface: "eth0"))
            Issue.record("install must fail without nft")
        } catch LinuxNetworkingError.firewallUnavailable(let reason) {
            #expect(reason.contains("nftables"))
        }
    }
}

// Needs root, iproute2 and nft; skipped with this reason outside CI, fails loudly in CI.
@Suite("FirewallRule in a namespace", requiresLab(baseLabTools + ["nft"]))
struct FirewallRuleLabTests {
    init() throws { try LabRequirements.require(baseLabTools + ["nft"]) }

    @Test("Own table: present after install, idempotent, gone after cleanup")
    func ownTableLifecycle() async throws {
        try await Lab.with(nodes: ["a"]) { lab in
            let a = lab.node("a")
            let nft = NFTables(namespacePath: NetworkNamespace.path(named: a.namespace))
            let rule = FirewallRule(interface: "eth0", unicastPeers: [IPAddress("192.0.2.11")!])
            try await nft.install(rule)
            try await nft.install(rule)
            let listing = try await lab.run(in: a.namespace, ["nft", "list", "table", "inet", "ipfailover"]).standardOutput
            #expect(listing.components(separatedBy: "ip protocol vrrp accept").count - 1 == 2, "\(listing)")
            #expect(listing.contains("192.0.2.11") && listing.contains("224.0.0.18") && listing.contains("ff02::12"))
            #expect(try await nft.isInstalled(rule))
            try await nft.remove(rule)
            let tables = try await lab.run(in: a.namespace, ["nft", "list", "tables"]).standardOutput
            #expect(!tables.contains("ipfailover"))
            #expect(try await !nft.isInstalled(rule))
            try await nft.remove(rule)  // removing twice is fine
        }
    }

    static func advert(_ marker: UInt8) -> [UInt8] {
        TestAdverts.v3(vrid: 8, priority: marker, addresses: [IPAddress("198.51.100.8")!])
    }

    @Test("With a default-drop input policy, VRRP passes only while our rule is in place")
    func vrrpPassesDefaultDropPolicy() async throws {
        try await Lab.withSocketPair(family: .ipv4) { lab, pair in try await Self.defaultDropScenario(lab, pair) }
    }

    static func defaultDropScenario(_ lab: Lab, _ pair: SocketPair) async throws {
        let a = pair.a, b = pair.b, sender = pair.sender
        try await lab.run(in: b.namespace, ["nft", "-f", "-"], input: """
            table inet filter {
                chain input { type filter hook input priority filter; policy drop; }
            }

            """)
        let inbox = Inbox(pair.receiver.packets())
        let options = VRRPSocket.SendOptions(fillVRRPv3Checksum: true)

        try sender.send(Self.advert(10), to: .v4(.vrrpMulticastGroup), options: options)  // dropped by policy
        let nft = NFTables(namespacePath: NetworkNamespace.path(named: b.namespace))
        let rule = FirewallRule(interface: "eth0", unicastPeers: [a.address(.ipv4)],
                                placement: .existingChain(family: "inet", table: "filter", chain: "input"))
        try await nft.install(rule)
        try await nft.install(rule)  // idempotent: still one copy
        try sender.send(Self.advert(20), to: .v4(.vrrpMulticastGroup), options: options)
        try sender.send(Self.advert(30), to: b.address(.ipv4), options: options)
        _ = try await inbox.next("multicast advert through the rule") { $0.payload[2] == 20 }
        _ = try await inbox.next("unicast advert through the rule") { $0.payload[2] == 30 }
        #expect(!inbox.received.contains { $0.payload[2] == 10 }, "the advert sent before the rule was dropped")

        let chain = try await lab.run(in: b.namespace, ["nft", "list", "chain", "inet", "filter", "input"]).standardOutput
        #expect(chain.components(separatedBy: "ipfailover-vrrp").count - 1 == rule.ruleBodies().count)
        try await nft.remove(rule)
        let after = try await lab.run(in: b.namespace, ["nft", "list", "chain", "inet", "filter", "input"]).standardOutput
        #expect(!after.contains("ipfailover-vrrp"))
        #expect(after.contains("policy drop"), "the host's own chain is left as it was")
    }
}
