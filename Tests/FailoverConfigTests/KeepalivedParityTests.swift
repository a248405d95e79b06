import Foundation
import Testing
import FailoverConfig

/// `ipfailover check-config` against `keepalived -t` (Debian 2.2.7) on the same file.
/// Each case records keepalived's exit status as measured (in a network namespace with
/// an `eth0` of MTU 1500); when keepalived can run here, the test measures it again.
/// keepalived exits 5 for every adjusted error, ipfailover 4 (3 when the instance
/// cannot run; see docs/configuration.md), so "non-zero on both" is parity; a case
/// where only one side exits 0 is a deliberate difference and says why.
@Suite("check-config agrees with keepalived -t", .serialized)
struct KeepalivedParityTests {
    struct Case: CustomStringConvertible {
        var name: String
        var text: String
        /// `keepalived -t` exit status, measured on keepalived 2.2.7.
        var keepalivedStatus: Int32
        /// `ipfailover check-config` exit status.
        var status: Int32
        /// A piece of the diagnostic ipfailover prints (nil: none expected).
        var message: String?
        /// Extra arguments: keepalived's, then ipfailover's.
        var keepalivedArguments: [String] = []
        var arguments: [String] = []
        /// Why only one side exits 0, when it does.
        var deliberate: String?
        var description: String { name }
    }

    static func instance(_ extra: String = "", vips: [String] = ["198.51.100.1"], interface: String = "eth0") -> String {
        "vrrp_instance X {\n interface \(interface)\n virtual_router_id 1\n priority 100\n\(extra)"
            + " virtual_ipaddress {\n" + vips.map { "  \($0)\n" }.joined() + " }\n}\n"
    }

    static let ipv4VIPs = (1...256).map { "10.0.\($0 / 250).\($0 % 250 + 1)" }
    static let ipv6VIPs = (1...90).map { "2001:db8::\(String($0, radix: 16))" }

    static let cases: [Case] = [
        Case(name: "control-ok", text: instance(), keepalivedStatus: 0, status: 0),
        Case(name: "state-lower-case", text: instance(" state master\n"), keepalivedStatus: 5, status: 4,
             message: "'state' must be MASTER or BACKUP (upper case, as keepalived reads it), got 'master'; BACKUP used"),
        Case(name: "vip-leading-zero", text: instance(vips: ["010.0.0.1", "198.51.100.1"]), keepalivedStatus: 5, status: 4,
             message: "'010.0.0.1' is not an address: an IPv4 octet with a leading zero is refused"),
        Case(name: "vip-leading-zero-prefix", text: instance(vips: ["198.51.100.01/24", "198.51.100.2"]), keepalivedStatus: 5,
             status: 4, message: "'198.51.100.01/24' is not an address"),
        Case(name: "peer-leading-zero", text: instance(" unicast_peer {\n  010.0.0.2\n }\n"), keepalivedStatus: 5, status: 4,
             message: "'unicast_peer' expects an IPv4 or IPv6 address, got '010.0.0.2' (an IPv4 octet with a leading zero"),
        Case(name: "interface-too-long", text: instance(interface: "abcdefghijklmnopq"), keepalivedStatus: 5, status: 3,
             message: "interface 'abcdefghijklmnopq' cannot exist: it is 17 bytes long; Linux interface names have at most 15"),
        Case(name: "interface-slash", text: instance(interface: "a/b"), keepalivedStatus: 5, status: 3,
             message: "interface 'a/b' cannot exist: it contains '/'"),
        Case(name: "interface-space", text: instance(interface: "\"a b\""), keepalivedStatus: 5, status: 3,
             message: "interface 'a b' cannot exist: it contains whitespace"),
        Case(name: "vip-dev-colon", text: instance(vips: ["198.51.100.1", "198.51.100.2 dev eth0:1"]), keepalivedStatus: 5,
             status: 4, message: "interface 'eth0:1' of 198.51.100.2 cannot exist: it contains ':'; address ignored"),
        Case(name: "ipv4-255-vips", text: instance(vips: Array(ipv4VIPs.prefix(255))), keepalivedStatus: 0, status: 0),
        Case(name: "ipv4-256-vips", text: instance(vips: ipv4VIPs), keepalivedStatus: 5, status: 4,
             message: "(X) 256 virtual addresses do not fit in one advert (at most 255 IPv4 addresses"),
        Case(name: "ipv6-89-vips", text: instance(" version 3\n", vips: Array(ipv6VIPs.prefix(89))), keepalivedStatus: 0, status: 0),
        Case(name: "ipv6-90-vips", text: instance(" version 3\n", vips: ipv6VIPs), keepalivedStatus: 5, status: 4,
             message: "(X) 90 virtual addresses do not fit in one advert (at most 89 IPv6 addresses"),
        Case(name: "scope-unknown", text: instance(vips: ["198.51.100.1 scope bogus"]), keepalivedStatus: 5, status: 4,
             message: "invalid scope 'bogus' for 198.51.100.1"),
        Case(name: "scope-link", text: instance(vips: ["198.51.100.1 scope link", "198.51.100.2 scope 200"]),
             keepalivedStatus: 0, status: 0),
        Case(name: "accept", text: instance(" accept\n"), keepalivedStatus: 0, status: 0),
        Case(name: "no-accept", text: instance(" no_accept\n"), keepalivedStatus: 0, status: 4,
             message: "'no_accept' is not supported by ipfailover",
             deliberate: "ipfailover never filters traffic to its VIPs; it says so instead of accepting the keyword silently"),
        Case(name: "garp-gaps", text: "global_defs {\n vrrp_garp_interval 0.5\n vrrp_gna_interval 0.5\n"
             + " vrrp_garp_lower_prio_delay 3\n vrrp_garp_lower_prio_repeat 2\n notify_fifo /run/k.fifo\n}\n" + instance(),
             keepalivedStatus: 0, status: 4, message: "'vrrp_garp_interval' in global_defs is not supported by ipfailover; ignored",
             deliberate: "these settings have no effect in ipfailover, so they are reported instead of silently accepted"),
        Case(name: "include-fifo", text: "include fifo.inc\n" + instance(), keepalivedStatus: 0, status: 4,
             message: "fifo.inc' is skipped: it is a FIFO, not a regular file",
             deliberate: "both skip the FIFO; ipfailover counts the skipped include as an adjustment, as it does an include that matches nothing"),
        Case(name: "include-missing", text: "include nothing-here.inc\n" + instance(), keepalivedStatus: 0, status: 4,
             message: "include 'nothing-here.inc' matched no file",
             deliberate: "both go on without the file; ipfailover counts it as an adjustment"),
        Case(name: "config-id-matches", text: instance("@node1 priority 150\n@node2 bogus_keyword\n"),
             keepalivedStatus: 0, status: 0, keepalivedArguments: ["-i", "node1"], arguments: ["--config-id", "node1"]),
        Case(name: "config-id-negated", text: instance("@^node2 bogus_keyword\n"),
             keepalivedStatus: 5, status: 4, message: "unknown keyword 'bogus_keyword'",
             keepalivedArguments: ["-i", "node1"], arguments: ["--config-id", "node1"]),
        Case(name: "config-id-negated-self", text: instance("@^node1 bogus_keyword\n"),
             keepalivedStatus: 0, status: 0, keepalivedArguments: ["-i", "node1"], arguments: ["--config-id", "node1"]),
    ]

    static var canRun: Bool { CommandLineTests.canRun }

    func writeCases() throws -> String {
        let directory = NSTemporaryDirectory() + "ipf-parity-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for c in Self.cases {
            try c.text.write(toFile: "\(directory)/\(c.name).conf", atomically: true, encoding: .utf8)
        }
        #expect(mkfifo("\(directory)/fifo.inc", 0o600) == 0)
        return directory
    }

    @Test("check-config exit status and diagnostic for each case; zero exactly where keepalived -t exits zero",
          .enabled(if: canRun, "the ipfailover binary was not built next to the tests"))
    func checkConfig() throws {
        let binary = try #require(CommandLineTests.binary, "ipfailover binary not found next to the test bundle")
        let directory = try writeCases()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for c in Self.cases {
            let result = try TestSupport.run([binary, "check-config"] + c.arguments + ["\(directory)/\(c.name).conf"])
            #expect(result.status == c.status, "\(c.name): \(result.output)")
            if let message = c.message {
                #expect(result.output.contains(message), "\(c.name): \(result.output)")
            } else {
                #expect(result.output.isEmpty, "\(c.name): \(result.output)")
            }
            #expect((c.status == 0) == (c.keepalivedStatus == 0) || c.deliberate != nil,
                    "\(c.name): ipfailover \(c.status), keepalived \(c.keepalivedStatus), and no reason given")
        }
    }

    @Test("keepalived -t still exits as recorded for each case",
          .enabled(if: TestSupport.canRunKeepalived,
                   "needs root, keepalived and iproute2 (runs in a network namespace); set CI=true to require it"))
    func keepalivedAgrees() throws {
        let directory = try writeCases()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try TestSupport.withKeepalived { check in
            for c in Self.cases {
                let result = try check("\(directory)/\(c.name).conf", c.keepalivedArguments)
                #expect(result.status == c.keepalivedStatus, "\(c.name): keepalived -t exit \(result.status)\n\(result.output)")
            }
        }
    }
}
