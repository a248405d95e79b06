import Foundation
import Testing
import FailoverConfig

/// `ipfailover render` without OPENSHIFT_HA_NETWORK_INTERFACE, run inside a namespace
/// with known links and routes: the interface it picks is the image's.
@Suite("Interface detection in a namespace", .serialized)
struct InterfaceDetectionNamespaceTests {
    static var canRun: Bool { KeepalivedAcceptanceTests.canRun && (TestSupport.isCI || CommandLineTests.binary != nil) }

    func renderedInterface(_ namespace: TestNamespace, binary: String) throws -> String? {
        let result = try namespace.exec(["/usr/bin/env", "-i", "OPENSHIFT_HA_VIRTUAL_IPS=198.51.100.10",
                                         "OPENSHIFT_HA_MONITOR_PORT=0", binary, "render"])
        guard result.status == 0 else { Issue.record("render failed: \(result.output)"); return nil }
        return result.output.split(separator: "\n").first { $0.hasPrefix("    interface ") }
            .map { String($0.dropFirst("    interface ".count)) }
    }

    @Test("Unset OPENSHIFT_HA_NETWORK_INTERFACE: ens3 beats the default route's eth0; without it, the route decides",
          .enabled(if: canRun, "needs root, iproute2 and the built ipfailover; set CI=true to require it"))
    func imageOrderInANamespace() throws {
        let binary = try #require(CommandLineTests.binary, "ipfailover binary not found next to the test bundle")
        let namespace = try TestNamespace(interfaces: ["eth0", "ens3"])
        defer { namespace.close() }
        try namespace.ip(["route", "add", "default", "via", "192.0.2.1", "dev", "eth0"])
        #expect(try renderedInterface(namespace, binary: binary) == "ens3")
        try namespace.ip(["link", "del", "ens3"])
        #expect(try renderedInterface(namespace, binary: binary) == "eth0")
    }
}
