import Foundation
import Testing
import FailoverConfig

/// The real keepalived (Debian 2.2.7) must accept every file `render` produces with
/// `keepalived -t` exit 0. keepalived warns about interfaces that do not exist, so it
/// runs inside a fresh network namespace `ipf-cfg-<pid>-<n>` that has an `eth0`.
@Suite("keepalived -t accepts rendered files", .serialized)
struct KeepalivedAcceptanceTests {
    /// Outside CI the test may skip (not root, or keepalived/iproute2 missing); in CI it must run.
    static var canRun: Bool { TestSupport.canRunKeepalived }

    @Test("keepalived -t exits 0 for every golden env render", .enabled(if: canRun,
          "needs root, keepalived and iproute2 (runs in a network namespace); set CI=true to require it"))
    func keepalivedAcceptsRenders() throws {
        let directory = NSTemporaryDirectory() + "ipf-cfg-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try TestSupport.withKeepalived { check in
            // Negative control: the harness must see keepalived reject a file (unknown keyword).
            let control = "\(directory)/control.conf"
            try "vrrp_instance X {\n interface eth0\n virtual_router_id 1\n no_such_keyword\n virtual_ipaddress {\n  198.51.100.1\n }\n}\n"
                .write(toFile: control, atomically: true, encoding: .utf8)
            let rejected = try check(control, [])
            #expect(rejected.status != 0, "keepalived -t accepted an unknown keyword; the check below would prove nothing")

            for golden in GoldenCase.all {
                let text = try #require(golden.render().text, "\(golden.name) did not render")
                let path = "\(directory)/\(golden.name).conf"
                try text.write(toFile: path, atomically: true, encoding: .utf8)
                let result = try check(path, [])
                #expect(result.status == 0, "keepalived -t \(golden.name): exit \(result.status)\n\(result.output)")
            }
        }
    }
}
