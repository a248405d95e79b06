import Foundation
import Testing
import FailoverConfig
import SeededRandom
import VRRPWire

/// Bad input never crashes: random soups of keepalived fragments, truncated files and
/// random environment values all come back as diagnostics with a location.
@Suite("Robustness")
struct RobustnessTests {
    static let fragments = [
        "vrrp_instance", "vrrp_script", "vrrp_sync_group", "global_defs", "virtual_server", "include", "{", "}", "\n",
        "\n", " ", "\t", "interface", "eth0", "virtual_router_id", "0", "1", "255", "256", "-3", "priority", "advert_int",
        "0.5", "40.96", "virtual_ipaddress", "198.51.100.1/24", "2001:db8::1", "dev", "label", "track_script", "weight",
        "reverse", "unicast_peer", "authentication", "auth_type", "PASS", "auth_pass", "\"quoted word\"", "\"open",
        "#", "!", "@x", "@^x", "$V=1", "nopreempt", "preempt_delay", "state", "MASTER", "group", "notify", "é", "\r",
    ]

    @Test("Random fragment soups never crash and every diagnostic has a place")
    func randomSoup() {
        var rng = SplitMix64(seed: 0x1BF0)
        for _ in 0..<1000 {
            let count = Int.random(in: 0...60, using: &rng)
            let text = (0..<count).map { _ in Self.fragments.randomElement(using: &rng)! }.joined(separator: " ")
            let result = KeepalivedConfigParser(source: InMemoryConfigSource(["/x/a.conf": text]))
                .parse(text, file: "/x/a.conf")
            for diagnostic in result.diagnostics where diagnostic.category != .scriptSecurity {
                guard case .source = diagnostic.location else {
                    Issue.record("diagnostic without a source location for input \(text.debugDescription): \(diagnostic)")
                    return
                }
            }
            // What comes out renders and parses back without losing anything.
            let rendered = KeepalivedRenderer().render(result.configuration)
            let again = KeepalivedConfigParser().parse(rendered, file: "r")
            #expect(again.configuration == result.configuration, "\(text.debugDescription)\n---\n\(rendered)")
        }
    }

    @Test("Every prefix of a real configuration parses without a crash")
    func truncatedFiles() {
        let golden = GoldenCase.all[1].render().text ?? ""
        var index = golden.startIndex
        var count = 0
        while index < golden.endIndex {
            _ = KeepalivedConfigParser().parse(String(golden[..<index]), file: "t")
            index = golden.index(after: index)
            count += 1
        }
        #expect(count == golden.count)
    }

    @Test("Random environment values never crash and every problem names its variable")
    func randomEnvironment() {
        var rng = SplitMix64(seed: 0xE4F)
        let values = ["", " ", "x", "0", "-1", "255", "256", "65536", "198.51.100.1", "198.51.100.1-300", "2001:db8::1-ffff",
                      "a,b", "nopreempt", "preempt_delay 1001", "/bin/true", "1-3,9", "9-1", "é", "1.5"]
        let names = EnvironmentSchema.variables.map(\.name)
        let vips = ["198.51.100.1", "198.51.100.1-20", "2001:db8::1-4", "198.51.100.5 198.51.100.9-11", "bad"]
        let node = NodeIdentity(hostname: "n", primaryAddress: IPAddress("192.0.2.11"), interface: "eth0")
        var built = 0
        for _ in 0..<1000 {
            var environment = ["OPENSHIFT_HA_VIRTUAL_IPS": vips.randomElement(using: &rng)!]
            for _ in 0..<Int.random(in: 0...3, using: &rng) {
                environment[names.randomElement(using: &rng)!] = values.randomElement(using: &rng)!
            }
            let (configuration, _, diagnostics) = OpenShiftEnvironment.configuration(environment: environment, node: node)
            for diagnostic in diagnostics {
                guard case .environment = diagnostic.location else {
                    Issue.record("env diagnostic without a variable: \(diagnostic)")
                    return
                }
            }
            if let configuration {
                built += 1
                #expect(configuration.instances.allSatisfy { !$0.priority.isOwner && $0.state == .backup })
                let parsed = KeepalivedConfigParser().parse(KeepalivedRenderer().render(configuration), file: "r")
                #expect(parsed.configuration == configuration, "\(environment)")
            }
        }
        #expect(built > 10, "the generator should also produce valid environments")
    }
}

/// The dump files (SIGUSR1/SIGUSR2) and rendered configurations are written through
/// a temporary file; by default in /tmp, where anyone may plant a link.
@Suite("Atomic writes")
struct AtomicWriteTests {
    @Test("A symlink planted at the temporary name is replaced, never followed (keepalived CVE-2018-19044)")
    func plantedSymlinkIsNotFollowed() throws {
        let dir = "/tmp/ipf-write-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        #expect(mkdir(dir, 0o700) == 0)
        let target = dir + "/victim", path = dir + "/ipfailover.data"
        defer {
            for f in [target, path, path + ".tmp.\(getpid())"] { unlink(f) }
            rmdir(dir)
        }
        try ConfigLoader.write("precious\n", to: target)
        #expect(symlink(target, path + ".tmp.\(getpid())") == 0)
        try ConfigLoader.write("dump\n", to: path)
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "precious\n")
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "dump\n")
        var st = stat()
        #expect(lstat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG)
    }
}
