import FailoverConfig
import Foundation
import Testing

/// `ipfailover config` and `render --env-help` through the built binary.
@Suite("ipfailover config / render --env-help")
struct ConfigCommandTests {
    static let configuration = """
        global_defs {
            router_id node-a
            enable_script_security
            script_user root
        }
        vrrp_script chk {
            script "/bin/true"
            interval 2
            rise 2
            fall 3
            weight -20
        }
        vrrp_instance VI_1 {
            interface ipf-none0
            virtual_router_id 51
            virtual_ipaddress {
                198.51.100.10/24 dev ipf-none0 label ipf-none0:1
            }
            track_script {
                chk
            }
            notify /bin/true
        }
        vrrp_instance VI_2 {
            interface ipf-none1
            virtual_router_id 52
            priority 255
            unicast_src_ip 192.0.2.11
            unicast_peer {
                192.0.2.12
            }
            authentication {
                auth_type PASS
                auth_pass secret
            }
            virtual_ipaddress {
                198.51.100.20
            }
        }
        vrrp_sync_group G {
            group {
                VI_1
                VI_2
            }
        }

        """

    func withFile<T>(_ text: String, _ body: (_ binary: String, _ path: String) throws -> T) throws -> T {
        let binary = try #require(CommandLineTests.binary, "ipfailover binary not found next to the test bundle")
        let directory = NSTemporaryDirectory() + "ipf-config-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = "\(directory)/keepalived.conf"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return try body(binary, path)
    }

    /// The lines of one section (`vrrp_instance VI_1` … up to the blank line), trimmed.
    static func section(_ title: String, of output: String) -> [String] {
        let lines = output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard let start = lines.firstIndex(of: title) else { return [] }
        return lines[(start + 1)...].prefix { !$0.isEmpty }
            .map { $0.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ") }
    }

    @Test("config prints every instance with each default resolved, as the daemon resolves it",
          .enabled(if: CommandLineTests.canRun, "the ipfailover binary was not built next to the tests"))
    func effectiveConfigurationIsPrinted() throws {
        try withFile(Self.configuration) { binary, path in
            let result = try TestSupport.run(["/usr/bin/env", "-i", binary, "config", path])
            #expect(result.status == 0, "\(result.output)")
            #expect(Self.section("global_defs", of: result.output).starts(with: [
                "router_id node-a", "vrrp_version 2", "vrrp_strict no", "enable_script_security yes", "script_user root"]))
            #expect(Self.section("vrrp_instance VI_1", of: result.output) == [
                "state BACKUP", "interface ipf-none0", "virtual_router_id 51", "priority 100", "advert_int 1s",
                "version 2 (IPv4)", "source address none: ipf-none0 has no IPv4 address here, run would refuse",
                "multicast group 224.0.0.18", "preempt yes", "preempt_delay 0s", "authentication none",
                "down_timer_adverts 3", "accept yes", "garp_master_repeat 5", "garp_master_delay 5s",
                "garp_master_refresh off", "garp_master_refresh_repeat 1", "garp_lower_prio_repeat 5",
                "track_interface", "ipf-none0 weight 0",
                "track_script", "chk weight -20 rise 2 fall 3 interval 2s timeout 2s user root: /bin/true",
                "virtual_ipaddress", "198.51.100.10/24 dev ipf-none0 label ipf-none0:1",
                "virtual_ipaddress_excluded (none)", "notify /bin/true", "notify user root", "sync group G",
                "adjusted (none)"])
            let owner = Self.section("vrrp_instance VI_2", of: result.output)
            // An address owner starts MASTER (the core's adjustment), the password is not shown.
            for line in ["state MASTER", "priority 255", "source address 192.0.2.11", "unicast_peer 192.0.2.12",
                         "authentication PASS", "track_script (none)", "198.51.100.20/32 dev ipf-none1"] {
                #expect(owner.contains(line), "\(line) in \(owner)")
            }
            #expect(!result.output.contains("secret"))
            #expect(Self.section("vrrp_sync_group G", of: result.output) == ["group VI_1 VI_2", "notify (none)"])
        }
    }

    @Test("config --json carries the same values, keyed by property name",
          .enabled(if: CommandLineTests.canRun, "the ipfailover binary was not built next to the tests"))
    func effectiveConfigurationAsJSON() throws {
        try withFile(Self.configuration) { binary, path in
            let result = try TestSupport.run(["/usr/bin/env", "-i", binary, "config", "--json", path])
            #expect(result.status == 0, "\(result.output)")
            let object = try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any]
            let instances = try #require(object?["instances"] as? [[String: Any]])
            #expect(instances.map { $0["name"] as? String } == ["VI_1", "VI_2"])
            #expect(instances[0]["sourceAddress"] == nil)
            #expect(instances[1]["sourceAddress"] as? String == "192.0.2.11")
            #expect(instances[1]["state"] as? String == "MASTER")
            let check = try #require((instances[0]["trackScripts"] as? [[String: Any]])?.first)
            #expect(check["rise"] as? Int == 2 && check["fall"] as? Int == 3 && check["weight"] as? Int == -20)
            #expect(check["intervalSeconds"] as? Double == 2)
        }
    }

    @Test("config in env mode shows what run would render from OPENSHIFT_HA_*; a configuration that cannot run exits 3",
          .enabled(if: CommandLineTests.canRun, "the ipfailover binary was not built next to the tests"))
    func environmentModeAndRefusal() throws {
        let binary = try #require(CommandLineTests.binary, "ipfailover binary not found next to the test bundle")
        let env = ["/usr/bin/env", "-i", "OPENSHIFT_HA_VIRTUAL_IPS=198.51.100.10", "OPENSHIFT_HA_NETWORK_INTERFACE=ipf-none0",
                   "IPFAILOVER_HOSTNAME=node-a"]
        let result = try TestSupport.run(env + [binary, "config", "--node-address", "192.0.2.11"])
        #expect(result.status == 0, "\(result.output)")
        let instance = Self.section("vrrp_instance OpenShift_IPFailover_VIP_1", of: result.output)
        for line in ["interface ipf-none0", "virtual_router_id 11", "authentication PASS", "preempt_delay 300s",
                     "198.51.100.10/32 dev ipf-none0"] {
            #expect(instance.contains(line), "\(line) in \(instance)")
        }
        let bad = try TestSupport.run(["/usr/bin/env", "-i", "OPENSHIFT_HA_VIRTUAL_IPS=198.51.100.x", binary, "config",
                                       "--node-address", "192.0.2.11"])
        #expect(bad.status == 3)
        #expect(bad.output.hasPrefix("OPENSHIFT_HA_VIRTUAL_IPS: error: entry '198.51.100.x'"))
        #expect(!bad.output.contains("vrrp_instance"))
    }

    @Test("render --env-help is a listing for a terminal: no table, lines within 80 columns, a '|' kept as written; --markdown prints the table",
          .enabled(if: CommandLineTests.canRun, "the ipfailover binary was not built next to the tests"))
    func envHelpIsReadableOnATerminal() throws {
        let binary = try #require(CommandLineTests.binary, "ipfailover binary not found next to the test bundle")
        let help = try TestSupport.run([binary, "render", "--env-help"])
        #expect(help.status == 0)
        let lines = help.output.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(!lines.contains { $0.hasPrefix("|") }, "no table rows")
        #expect(lines.allSatisfy { $0.count <= 80 || !$0.dropFirst(4).contains(" ") })
        for variable in EnvironmentSchema.variables {
            #expect(lines.contains(Substring(variable.name)), "\(variable.name) heads its block")
            let accepted = "accepted: " + variable.validation
            let flat = help.output.replacingOccurrences(of: "\n    ", with: " ")
            #expect(flat.contains(accepted), "\(variable.name): \(accepted)")
        }
        let table = try TestSupport.run([binary, "render", "--env-help", "--markdown"])
        #expect(table.output == EnvironmentSchema.markdownTable())
        let misuse = try TestSupport.run([binary, "render", "--markdown"])
        #expect(misuse.status == 64)
    }
}
