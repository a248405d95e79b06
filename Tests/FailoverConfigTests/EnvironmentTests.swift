import Foundation
import Testing
import FailoverConfig
import VRRPWire

@Suite("OPENSHIFT_HA_* environment → Configuration")
struct EnvironmentTests {
    static let node = NodeIdentity(hostname: "node-a", primaryAddress: IPAddress("192.0.2.11"), interface: "eth0")

    func build(_ environment: [String: String], node: NodeIdentity = node) throws -> Configuration {
        let (configuration, _, diagnostics) = OpenShiftEnvironment.configuration(environment: environment, node: node)
        #expect(diagnostics.isEmpty, "\(diagnostics.map(\.description))")
        return try #require(configuration)
    }

    @Test("VIP groups: contiguous, the first total % N one larger (7 in 3 → 3,2,2)")
    func groupSplit() {
        #expect(OpenShiftEnvironment.groupSizes(total: 7, groups: 3) == [3, 2, 2])
        #expect(OpenShiftEnvironment.groupSizes(total: 255, groups: 238).prefix(18) == ArraySlice(Array(repeating: 2, count: 17) + [1]))
        #expect(OpenShiftEnvironment.groupSizes(total: 255, groups: 238).reduce(0, +) == 255)
        #expect(OpenShiftEnvironment.groupSizes(total: 3, groups: 5) == [1, 1, 1])
        #expect(OpenShiftEnvironment.groupSizes(total: 3, groups: nil) == [1, 1, 1])
        #expect(OpenShiftEnvironment.groupSizes(total: 3, groups: 0) == [1, 1, 1])
        #expect(OpenShiftEnvironment.groupSizes(total: 0, groups: 2) == [])
    }

    @Test("VRID = offset + index (1-based), skipping HA_EXCLUDED_VRRP_IDS")
    func vridAssignment() throws {
        let c = try build(["OPENSHIFT_HA_VIRTUAL_IPS": "198.51.100.40-44", "OPENSHIFT_HA_VRRP_ID_OFFSET": "5",
                           "HA_EXCLUDED_VRRP_IDS": "9"])
        #expect(c.instances.map(\.virtualRouterID.rawValue) == [6, 7, 8, 10, 11])
        #expect(c.instances.map(\.name) == (1...5).map { "OpenShift_IPFailover_VIP_\($0)" })
        let (ids, overflow) = OpenShiftEnvironment.virtualRouterIDs(count: 3, offset: 252, excluded: [254])
        #expect(ids.map(\.rawValue) == [253, 255])
        #expect(overflow == 256)
    }

    @Test("OpenShift case 49214: 254 VIPs with VRID 9 excluded never render virtual_router_id 9")
    func excludedNineOf254() throws {
        let c = try build(["OPENSHIFT_HA_VIRTUAL_IPS": "198.51.100.1-254", "OPENSHIFT_HA_VRRP_ID_OFFSET": "0",
                           "HA_EXCLUDED_VRRP_IDS": "9"])
        #expect(c.instances.map(\.virtualRouterID.rawValue) == Array(1...8) + Array(10...255))
        #expect(!KeepalivedRenderer().render(c).contains("virtual_router_id 9\n"))
    }

    @Test("Default offset is 10 and default preemption is preempt_delay 300")
    func defaults() throws {
        let c = try build(["OPENSHIFT_HA_VIRTUAL_IPS": "198.51.100.1"])
        let i = try #require(c.instances.first)
        #expect(i.virtualRouterID == VirtualRouterID(11))
        #expect(i.preemption == .delayed(.seconds(300)))
        #expect(i.interface == "eth0")
        #expect(i.authentication == .password("OpenShift-IPFailover"))
        #expect(i.authentication == .simplePassword(Array("OpenShif".utf8)))
        #expect(c.scripts == [VRRPScript(name: "chk_OpenShift_IPFailover",
                                         script: "/bin/bash -c '</dev/tcp/192.0.2.11/80'", interval: .seconds(2))])
        #expect(i.trackScripts == [TrackEntry(name: "chk_OpenShift_IPFailover")])
        #expect(c.globalDefinitions.enableScriptSecurity && c.globalDefinitions.scriptUser == "root")
        #expect(c.globalDefinitions.routerID == "OpenShift_IPFailover")
    }

    @Test("Monitor port 0 means no check at all; a user script replaces the TCP check")
    func checks() throws {
        let none = try build(["OPENSHIFT_HA_VIRTUAL_IPS": "198.51.100.1", "OPENSHIFT_HA_MONITOR_PORT": "0"])
        #expect(none.scripts.isEmpty && none.instances[0].trackScripts.isEmpty)
        let user = try build(["OPENSHIFT_HA_VIRTUAL_IPS": "198.51.100.1", "OPENSHIFT_HA_CHECK_SCRIPT": "/etc/keepalive/check.sh",
                              "OPENSHIFT_HA_CHECK_INTERVAL": "7"])
        #expect(user.scripts == [VRRPScript(name: "chk_OpenShift_IPFailover", script: "/etc/keepalive/check.sh", interval: .seconds(7))])
    }

    @Test("IPv4 last-octet and IPv6 last-group (hex) ranges expand in order")
    func vipRanges() {
        let (addresses, problems) = VIPListParser().parse("198.51.100.8-10, 2001:db8::fe-101 198.51.100.1")
        #expect(problems.isEmpty)
        #expect(addresses.map(\.description) == [
            "198.51.100.8", "198.51.100.9", "198.51.100.10",
            "2001:db8::fe", "2001:db8::ff", "2001:db8::100", "2001:db8::101", "198.51.100.1",
        ])
    }

    @Test("A list of more than 4,096 addresses in all is refused at the entry that crosses the bound, the rest unread")
    func addressListIsBoundedInAll() throws {
        // Each range is within the per-range bound; together they are not.
        let ranges = (0..<8).map { "2001:db8:\($0)::1-fa0" }.joined(separator: ",")
        let (addresses, problems) = VIPListParser().parse(ranges)
        #expect(addresses.count == 4000)
        #expect(problems == ["entry '2001:db8:1::1-fa0': the list would hold more than 4096 addresses (4000 before this "
            + "entry); it and the entries after it are not read"])
        let exactly = VIPListParser().parse("2001:db8::1-1000")
        #expect(exactly.addresses.count == 4096 && exactly.problems.isEmpty)
        let oneMore = VIPListParser().parse("2001:db8::1-1000 198.51.100.1")
        #expect(oneMore.addresses.count == 4096 && oneMore.problems.count == 1)
        // Through the environment: an error naming the variable, no configuration.
        let (configuration, _, diagnostics) = OpenShiftEnvironment.configuration(
            environment: ["OPENSHIFT_HA_VIRTUAL_IPS": ranges], node: Self.node)
        #expect(configuration == nil)
        #expect(diagnostics.map(\.description) == ["OPENSHIFT_HA_VIRTUAL_IPS: error: entry '2001:db8:1::1-fa0': the list "
            + "would hold more than 4096 addresses (4000 before this entry); it and the entries after it are not read"])
    }

    @Test("Unicast: own address is the source and left out of the peers")
    func unicast() throws {
        let c = try build(["OPENSHIFT_HA_VIRTUAL_IPS": "198.51.100.1", "OPENSHIFT_HA_UNICAST_PEERS": "192.0.2.11 192.0.2.12"])
        #expect(c.instances[0].unicastSourceIP == IPAddress("192.0.2.11"))
        #expect(c.instances[0].unicastPeers == [IPAddress("192.0.2.12")!])
    }

    @Test("Master spreading: each replica is preferred master of every R-th instance, never 255")
    func spreading() throws {
        let env = ["OPENSHIFT_HA_VIRTUAL_IPS": "198.51.100.1-6", "OPENSHIFT_HA_REPLICA_COUNT": "3"]
        let nodes = (11...13).map { NodeIdentity(hostname: "n\($0)", primaryAddress: IPAddress("192.0.2.\($0)"), interface: "eth0") }
        let priorities = try nodes.map { try build(env, node: $0).instances.map(\.priority.rawValue) }
        for instance in 0..<6 {
            let column = priorities.map { $0[instance] }
            #expect(Set(column).count == 3, "instance \(instance): \(column)")
            #expect(column.filter { $0 == 254 }.count == 1)
            #expect(column.allSatisfy { $0 < 255 })
        }
        // Each node is the top priority for exactly 2 of the 6 instances.
        for row in priorities { #expect(row.filter { $0 == 254 }.count == 2) }
        #expect(MasterSpreading(replicaCount: 3, node: nodes[0]).slot == Int(IPv4Address(192, 0, 2, 11).value % 3))
    }

    @Test("Spreading without an address uses the host name, deterministically")
    func spreadingByHostname() {
        let a = MasterSpreading(replicaCount: 5, node: NodeIdentity(hostname: "worker-1"))
        let b = MasterSpreading(replicaCount: 5, node: NodeIdentity(hostname: "worker-1"))
        #expect(a == b)
        #expect(MasterSpreading.nodeNumber(NodeIdentity(hostname: "a")) == 0xE40C_292C)  // FNV-1a("a")
    }

    @Test("The PASS password is the config name's first 8 bytes, cut at a character boundary")
    func authPassCut() throws {
        var settings = OpenShiftEnvironment()
        settings.configName = "OpenShift-IPFailover"
        #expect(settings.authPass == "OpenShif")
        settings.configName = "abcdefgé-x"
        #expect(settings.authPass == "abcdefg")
        let (_, _, diagnostics) = OpenShiftEnvironment.configuration(
            environment: ["OPENSHIFT_HA_VIRTUAL_IPS": "198.51.100.1", "OPENSHIFT_HA_CONFIG_NAME": "abcdefgé-x"], node: Self.node)
        #expect(diagnostics.map(\.description) == [
            "OPENSHIFT_HA_CONFIG_NAME: warning: its first 8 bytes end inside a multi-byte character; the PASS password "
                + "is 'abcdefg' (7 bytes), which differs from keepalived's byte cut"])
    }

    @Test("IPv6 VIPs render as VRRPv3 without authentication")
    func ipv6() throws {
        let c = try build(["OPENSHIFT_HA_VIRTUAL_IPS": "2001:db8::1", "OPENSHIFT_HA_MONITOR_PORT": "0"])
        #expect(c.instances[0].version == .v3)
        #expect(c.instances[0].authentication == .none)
    }

    @Test("Addresses past one advert's capacity are excluded in the model, as the daemon runs the rendered file",
          arguments: [("2001:db8::1-64", 100, 89), ("192.0.2.0-255 198.51.100.0-43", 300, 255)])
    func addressesBeyondOneAdvertAreExcludedInTheModel(vips: String, total: Int, advertised: Int) throws {
        let environment = ["OPENSHIFT_HA_VIRTUAL_IPS": vips, "OPENSHIFT_HA_VIP_GROUPS": "1",
                           "OPENSHIFT_HA_NETWORK_INTERFACE": "eth0"]
        let (configuration, _, diagnostics) = OpenShiftEnvironment.configuration(environment: environment, node: Self.node)
        let model = try #require(configuration)
        let instance = try #require(model.instances.first)
        #expect(instance.virtualIPAddresses.count == advertised)
        #expect(instance.excludedVirtualIPAddresses.count == total - advertised)
        #expect(diagnostics.count == 1)
        #expect(diagnostics.first?.category == .adjusted)
        #expect(diagnostics.first?.location == .environment("OPENSHIFT_HA_VIRTUAL_IPS"))
        let parsed = TestSupport.parse(KeepalivedRenderer().render(model))
        #expect(parsed.diagnostics.isEmpty, "\(parsed.diagnostics.map(\.description))")
        #expect(parsed.configuration == model)
    }

    @Test("The schema table documents every variable once, with a default or 'required'")
    func schema() {
        let names = EnvironmentSchema.variables.map(\.name)
        #expect(Set(names).count == names.count)
        let table = EnvironmentSchema.markdownTable()
        for name in names { #expect(table.contains("`\(name)`")) }
        #expect(table.contains("| `OPENSHIFT_HA_VIRTUAL_IPS` | address list | (required) |"))
        #expect(table.contains("| `OPENSHIFT_HA_VRRP_ID_OFFSET` | integer | `10` |"))
    }
}

@Suite("Documentation")
struct DocumentationTests {
    @Test("docs/configuration.md carries the schema's table verbatim (regenerate with `ipfailover render --env-help --markdown`)")
    func envTableInSync() throws {
        let here = #filePath
        let root = here[..<here.range(of: "/Tests/")!.lowerBound]
        let doc = try String(contentsOfFile: "\(root)/docs/configuration.md", encoding: .utf8)
        #expect(doc.contains(EnvironmentSchema.markdownTable()))
    }
}

@Suite("TCP connect check recognition")
struct TCPCheckTests {
    @Test("The image's bash /dev/tcp check is recognised so the runtime can connect natively")
    func recognised() {
        let check = VRRPScript(name: "c", script: "/bin/bash -c '</dev/tcp/192.0.2.11/8080'").tcpConnectCheck
        #expect(check == VRRPScript.TCPConnectCheck(address: IPAddress("192.0.2.11")!, port: 8080))
        #expect(check?.command == "/bin/bash -c '</dev/tcp/192.0.2.11/8080'")
        #expect(VRRPScript(name: "c", script: "bash -c '</dev/tcp/2001:db8::1/80'").tcpConnectCheck?.port == 80)
        #expect(VRRPScript(name: "c", script: "/bin/bash -c '</dev/tcp/192.0.2.11/80'; rm -rf /").tcpConnectCheck == nil)
        #expect(VRRPScript(name: "c", script: "/bin/bash -c '</dev/tcp/host.example/80'").tcpConnectCheck == nil)
        #expect(VRRPScript(name: "c", script: "/usr/bin/true").tcpConnectCheck == nil)
    }
}
