import Foundation
import Testing
import FailoverConfig

/// End to end through the built `ipfailover` binary: check-config's output format and
/// exit codes, render to stdout and to a file.
@Suite("ipfailover render / check-config")
struct CommandLineTests {
    /// The `ipfailover` executable next to the test bundle (built by `swift build --build-tests`).
    static let binary: String? = {
        var candidates: [String] = []
        for path in [CommandLine.arguments.first, Bundle.main.executablePath].compactMap({ $0 }) {
            var url = URL(fileURLWithPath: path).deletingLastPathComponent()
            for _ in 0..<4 {
                candidates.append(url.appendingPathComponent("ipfailover").path)
                url.deleteLastPathComponent()
            }
        }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    static var canRun: Bool { TestSupport.isCI || binary != nil }

    /// A fresh temporary directory for one test; the caller removes it.
    func temporaryDirectory() throws -> String {
        let directory = NSTemporaryDirectory() + "ipf-cli-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return directory
    }

    func write(_ text: String, name: String, in directory: String) throws -> String {
        let path = "\(directory)/\(name)"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test("check-config exit codes: 0 ok, 3 cannot run, 4 adjusted, 5 scripts without security",
          .enabled(if: canRun, "the ipfailover binary was not built next to the tests"))
    func checkConfigExitCodes() throws {
        let binary = try #require(Self.binary, "ipfailover binary not found next to the test bundle")
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let instance = "vrrp_instance a {\n interface eth0\n virtual_router_id 1\n virtual_ipaddress {\n  198.51.100.1\n }\n}\n"
        let cases: [(String, String, Int32, [String])] = [
            ("ok.conf", instance, 0, []),
            ("cannot.conf", "vrrp_instance a {\n interface eth0\n}\n", 3,
             ["cannot.conf:1:1: error: (a) no 'virtual_router_id' given; instance not started"]),
            ("adjusted.conf", instance + "bogus 1\n", 4, ["adjusted.conf:8:1: warning: unknown keyword 'bogus'; ignored"]),
            ("security.conf", "vrrp_script s {\n script /bin/true\n}\n" + instance, 5,
             ["security.conf:2:2: warning: scripts are configured but 'enable_script_security' is not set in global_defs"]),
        ]
        for (name, text, status, lines) in cases {
            let path = try write(text, name: name, in: directory)
            let result = try TestSupport.run([binary, "check-config", path])
            #expect(result.status == status, "\(name): \(result.output)")
            #expect(result.output.split(separator: "\n").map(String.init) == lines.map { "\(directory)/\($0)" })
        }
        let missing = try TestSupport.run([binary, "check-config", "/nonexistent/keepalived.conf"])
        #expect(missing.status == 3)
        #expect(missing.output.hasPrefix("/nonexistent/keepalived.conf: error: cannot read configuration file"))
    }

    @Test("check-config runs on every keepalived sample without crashing",
          .enabled(if: canRun && (TestSupport.isCI || FileManager.default.fileExists(atPath: SampleConfigTests.directory)),
                   "needs the ipfailover binary and Debian's keepalived samples"))
    func samplesThroughCheckConfig() throws {
        let binary = try #require(Self.binary, "ipfailover binary not found next to the test bundle")
        for name in try FileManager.default.contentsOfDirectory(atPath: SampleConfigTests.directory)
        where name.hasPrefix("keepalived.conf") {
            let result = try TestSupport.run([binary, "check-config", "\(SampleConfigTests.directory)/\(name)"])
            #expect([0, 3, 4, 5].contains(result.status), "\(name): exit \(result.status)\n\(result.output)")
        }
    }

    @Test("render --output writes the same text render prints; check-config --env",
          .enabled(if: canRun, "the ipfailover binary was not built next to the tests"))
    func render() throws {
        let binary = try #require(Self.binary, "ipfailover binary not found next to the test bundle")
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let env = "/usr/bin/env"
        let vars = ["-i", "OPENSHIFT_HA_VIRTUAL_IPS=198.51.100.10", "OPENSHIFT_HA_NETWORK_INTERFACE=eth0",
                    "IPFAILOVER_HOSTNAME=node-a"]
        let printed = try TestSupport.run([env] + vars + [binary, "render", "--node-address", "192.0.2.11"])
        #expect(printed.status == 0, "\(printed.output)")
        let golden = try #require(GoldenCase.all.first { $0.name == "plain-deploy" })
        #expect(printed.output == golden.render().text)
        let output = "\(directory)/rendered.conf"
        let written = try TestSupport.run([env] + vars + [binary, "render", "--node-address", "192.0.2.11", "--output", output])
        #expect(written.status == 0)
        #expect(try String(contentsOfFile: output, encoding: .utf8) == printed.output)
        let bad = try TestSupport.run([env, "-i", "OPENSHIFT_HA_VIRTUAL_IPS=198.51.100.x", binary, "render",
                                       "--node-address", "192.0.2.11"])
        #expect(bad.status == 3)
        #expect(bad.output.contains("OPENSHIFT_HA_VIRTUAL_IPS: error: entry '198.51.100.x'"))
        let checked = try TestSupport.run([env, "-i", "OPENSHIFT_HA_VIRTUAL_IPS=198.51.100.x", "OPENSHIFT_HA_VIP_GRUOPS=2",
                                           binary, "check-config", "--env", "--node-address", "192.0.2.11"])
        #expect(checked.status == 3)
        let lines = checked.output.split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines.first?.hasPrefix("OPENSHIFT_HA_VIRTUAL_IPS: error: entry '198.51.100.x'") == true)
        #expect(lines.last == "OPENSHIFT_HA_VIP_GRUOPS: warning: unknown variable; ignored")
        let clean = try TestSupport.run([env] + vars + [binary, "check-config", "--env", "--node-address", "192.0.2.11"])
        #expect(clean.status == 0 && clean.output.isEmpty, "\(clean.output)")
    }

    @Test("--version prints the version constant the build_info metric carries",
          .enabled(if: canRun, "the ipfailover binary was not built next to the tests"))
    func version() throws {
        let binary = try #require(Self.binary, "ipfailover binary not found next to the test bundle")
        let result = try TestSupport.run([binary, "--version"])
        #expect(result.status == 0)
        let printed = result.output.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(printed.split(separator: ".").count == 3 && printed.allSatisfy { $0.isNumber || $0 == "." }, "\(printed)")
    }

    @Test("check-config without an argument checks what run would use: $KEEPALIVED_CONFIG (else /etc/keepalived/keepalived.conf), or the environment when OPENSHIFT_HA_VIRTUAL_IPS is set",
          .enabled(if: canRun, "the ipfailover binary was not built next to the tests"))
    func checkConfigDefaults() throws {
        let binary = try #require(Self.binary, "ipfailover binary not found next to the test bundle")
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let env = "/usr/bin/env"
        let broken = try write("vrrp_instance VI_1 {\n    bogus_keyword 1\n}\n", name: "keepalived.conf", in: directory)
        let fromVariable = try TestSupport.run([env, "-i", "KEEPALIVED_CONFIG=\(broken)", binary, "check-config"])
        #expect(fromVariable.status != 0)
        #expect(fromVariable.output.contains("\(broken):2:"), "\(fromVariable.output)")

        // Env mode wins over the file, as in `run`: the broken file is not read.
        let envMode = try TestSupport.run([env, "-i", "KEEPALIVED_CONFIG=\(broken)", "OPENSHIFT_HA_VIRTUAL_IPS=198.51.100.x",
                                           binary, "check-config", "--node-address", "192.0.2.11"])
        #expect(envMode.status == 3)
        #expect(envMode.output.contains("OPENSHIFT_HA_VIRTUAL_IPS: error: entry '198.51.100.x'"), "\(envMode.output)")
        #expect(!envMode.output.contains(broken))

        // A FILE given wins over both.
        let explicit = try TestSupport.run([env, "-i", "OPENSHIFT_HA_VIRTUAL_IPS=198.51.100.x", binary, "check-config", broken])
        #expect(explicit.output.contains("\(broken):2:"), "\(explicit.output)")

        let standard = "/etc/keepalived/keepalived.conf"
        if !FileManager.default.fileExists(atPath: standard) {
            let missing = try TestSupport.run([env, "-i", binary, "check-config"])
            #expect(missing.status == 3)
            #expect(missing.output.contains(standard), "\(missing.output)")
        }
    }
}
