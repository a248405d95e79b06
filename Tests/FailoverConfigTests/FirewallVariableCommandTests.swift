import Foundation
import Testing
import FailoverConfig

/// `run` and `cleanup` read the firewall variables through the schema, before they
/// touch anything: a value that could carry nft commands stops them, naming it.
@Suite("Firewall variables through ipfailover run / cleanup", .serialized)
struct FirewallVariableCommandTests {
    static var canRun: Bool { InterfaceDetectionNamespaceTests.canRun }

    @Test("A firewall value that is not an nft name stops run and cleanup with exit 3, naming the variable",
          .enabled(if: canRun, "needs root, iproute2 and the built ipfailover; set CI=true to require it"))
    func badFirewallValueStopsStartup() throws {
        let binary = try #require(CommandLineTests.binary, "ipfailover binary not found next to the test bundle")
        // In a namespace of its own, so a regression could not touch the host's addresses.
        let namespace = try TestNamespace(interfaces: ["eth0"])
        defer { namespace.close() }
        let config = "\(namespace.directory)/missing.conf"
        for (name, value) in [("OPENSHIFT_HA_IPTABLES_CHAIN", "INPUT;flush"), ("OPENSHIFT_HA_NFTABLES_RULE", "inet filter in;put")] {
            for command in [["run", "--status-address", "off", "--owned-addresses-file", "none"], ["cleanup"]] {
                let result = try namespace.exec(["/usr/bin/env", "-i", "\(name)=\(value)", binary] + command + ["--config", config])
                #expect(result.status == 3, "\(command[0]) \(name)=\(value): exit \(result.status)\n\(result.output)")
                #expect(result.output.contains("\(name): error:"), "\(command[0]): \(result.output)")
            }
        }
        let flag = try namespace.exec([binary, "run", "--status-address", "off", "--firewall", "ip filter a{b", "--config", config])
        #expect(flag.status == 3 && flag.output.contains("--firewall: chain 'a{b' is not an nft name"), "\(flag.output)")
    }
}
