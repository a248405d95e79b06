import Foundation
import Testing
import FailoverConfig

/// The real keepalived (Debian 2.2.7) must accept every file `render` produces with
/// `keepalived -t` exit 0. keepalived warns about interfaces that do not exist, so it
/// runs inside a fresh network namespace `ipf-cfg-<pid>-<n>` that has an `eth0`.
@Suite("keepalived -t accepts rendered files", .serialized)
struct KeepalivedAcceptanceTests {
    static let keepalived = TestSupport.tool("/usr/sbin/keepalived", "/sbin/keepalived")
    static let ip = TestSupport.tool("/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip")

    /// Outside CI the test may skip (not root, or keepalived/iproute2 missing); in CI it must run.
    static var canRun: Bool {
        TestSupport.isCI || (TestSupport.isRoot && keepalived != nil && ip != nil)
    }

    @Test("keepalived -t exits 0 for every golden env render", .enabled(if: canRun,
          "needs root, keepalived and iproute2 (runs in a network namespace); set CI=true to require it"))
    func keepalivedAcceptsRenders() throws {
        let keepalived = try #require(Self.keepalived, "keepalived is not installed (Debian package keepalived)")
        let ip = try #require(Self.ip, "iproute2's ip is not installed")
        try #require(TestSupport.isRoot, "keepalived -t in a network namespace needs root")

        let namespace = "ipf-cfg-\(getpid())-\(UInt32.random(in: 0...UInt32.max) % 100000)"
        let directory = NSTemporaryDirectory() + namespace
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }

        let added = try TestSupport.run([ip, "netns", "add", namespace])
        try #require(added.status == 0, "ip netns add failed: \(added.output)")
        defer { _ = try? TestSupport.run([ip, "netns", "del", namespace]) }
        // A dummy link when the kernel has the module, else one end of a veth pair.
        if try TestSupport.run([ip, "-n", namespace, "link", "add", "eth0", "type", "dummy"]).status != 0 {
            let veth = try TestSupport.run([ip, "-n", namespace, "link", "add", "eth0", "type", "veth", "peer", "name", "eth0peer"])
            try #require(veth.status == 0, "cannot create eth0 in \(namespace): \(veth.output)")
            _ = try TestSupport.run([ip, "-n", namespace, "link", "set", "eth0peer", "up"])
        }
        try #require(try TestSupport.run([ip, "-n", namespace, "link", "set", "eth0", "up"]).status == 0)
        try #require(try TestSupport.run([ip, "-n", namespace, "addr", "add", "192.0.2.11/24", "dev", "eth0"]).status == 0)

        // Negative control: the harness must see keepalived reject a file (unknown keyword).
        let control = "\(directory)/control.conf"
        try "vrrp_instance X {\n interface eth0\n virtual_router_id 1\n no_such_keyword\n virtual_ipaddress {\n  198.51.100.1\n }\n}\n"
            .write(toFile: control, atomically: true, encoding: .utf8)
        let rejected = try TestSupport.run([ip, "netns", "exec", namespace, keepalived, "-t", "-f", control])
        #expect(rejected.status != 0, "keepalived -t accepted an unknown keyword; the check below would prove nothing")

        for golden in GoldenCase.all {
            let text = try #require(golden.render().text, "\(golden.name) did not render")
            let path = "\(directory)/\(golden.name).conf"
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            let result = try TestSupport.run([ip, "netns", "exec", namespace, keepalived, "-t", "-l", "-f", path])
            #expect(result.status == 0, "keepalived -t \(golden.name): exit \(result.status)\n\(result.output)")
        }
    }
}
