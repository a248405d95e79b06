import Foundation
import Testing
import FailoverConfig

/// `check-config` reports every script the daemon would disable or never run, through
/// the daemon's own script preparation, with the exit category `keepalived -t` gives
/// the same file: keepalived 2.2.7 (Debian) exits 5 — an adjusted error in its man
/// page's numbering, our 4 — for a missing script, an unparsable command line, an
/// unknown script user, and `enable_script_security` without any usable script user.
@Suite("check-config: scripts the runtime disables", .serialized)
struct CheckConfigScriptTests {
    /// keepalived's `-t` exit status for a file with only adjusted errors (Debian 2.2.7).
    static let keepalivedAdjustedStatus: Int32 = 5

    struct Case {
        var name: String
        var globals: String
        var script: String
        var message: String
    }

    static func config(_ c: Case) -> String {
        """
        global_defs {
        \(c.globals)
        }
        vrrp_script chk {
            script "\(c.script)"
            interval 1
        }
        vrrp_instance VI_1 {
            interface eth0
            virtual_router_id 51
            priority 100
            virtual_ipaddress {
                198.51.100.10/24
            }
            track_script {
                chk
            }
        }

        """
    }

    /// Root-owned 0755 directory with a root-owned 0755 script (secure under
    /// enable_script_security); the caller removes it.
    static func secureScriptDirectory() throws -> (String, String) {
        let directory = "/run/ipf-cfg-scripts-\(getpid())-\(UInt32.random(in: 0...UInt32.max) % 100000)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o755])
        let script = directory + "/ok.sh"
        try "#!/bin/sh\nexit 0\n".write(toFile: script, atomically: true, encoding: .utf8)
        chmod(script, 0o755)
        return (directory, script)
    }

    static func cases(script: String, directory: String) -> [Case] {
        let secure = "enable_script_security\nscript_user root"
        return [
            Case(name: "missing", globals: secure, script: directory + "/missing.sh",
                 message: "vrrp_script chk: script '\(directory)/missing.sh' does not exist; the script is disabled: no instance tracks it"),
            Case(name: "quote", globals: secure, script: script + " 'abc",
                 message: "vrrp_script chk: cannot parse script command '\(script) 'abc': missing terminating '; the script is disabled: no instance tracks it"),
            Case(name: "unknown-user", globals: "enable_script_security\nscript_user ipf-no-such-user", script: script,
                 message: "vrrp_script chk: script user 'ipf-no-such-user' does not exist; the script is disabled: no instance tracks it"),
        ]
    }

    @Test("check-config exits 4 (adjusted) where the runtime disables a script",
          .enabled(if: CommandLineTests.canRun && TestSupport.isRoot, "needs the ipfailover binary and root (scripts under /run)"))
    func checkConfigReportsDisabledScripts() throws {
        let binary = try #require(CommandLineTests.binary, "ipfailover binary not found next to the test bundle")
        let (directory, script) = try Self.secureScriptDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var all = Self.cases(script: script, directory: directory)
        if getpwnam("keepalived_script") == nil {
            all.append(Case(name: "no-script-user", globals: "enable_script_security", script: script,
                            message: "vrrp_script chk: enable_script_security is set, but no script_user is configured and the default user 'keepalived_script' does not exist; the script is disabled: no instance tracks it"))
        }
        for c in all {
            let path = "\(directory)/\(c.name).conf"
            try Self.config(c).write(toFile: path, atomically: true, encoding: .utf8)
            let result = try TestSupport.run([binary, "check-config", path])
            #expect(result.status == CheckConfigStatus.adjusted.rawValue, "\(c.name): \(result.output)")
            #expect(result.output.split(separator: "\n").map(String.init) == ["\(path): warning: \(c.message)"], "\(c.name)")
        }
        // The control: the same file with a usable script is clean.
        let good = Case(name: "good", globals: "enable_script_security\nscript_user root", script: script, message: "")
        let path = "\(directory)/good.conf"
        try Self.config(good).write(toFile: path, atomically: true, encoding: .utf8)
        let result = try TestSupport.run([binary, "check-config", path])
        #expect(result.status == 0, "\(result.output)")
    }

    @Test("keepalived -t treats the same files as adjusted errors (exit 5)", .enabled(if: KeepalivedAcceptanceTests.canRun,
          "needs root, keepalived and iproute2 (runs in a network namespace); set CI=true to require it"))
    func keepalivedAgrees() throws {
        let (directory, script) = try Self.secureScriptDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let judge = try TestNamespace(interfaces: ["eth0"])
        defer { judge.close() }
        let good = Case(name: "good", globals: "enable_script_security\nscript_user root", script: script, message: "")
        for c in [good] + Self.cases(script: script, directory: directory) {
            let path = "\(directory)/\(c.name).conf"
            try Self.config(c).write(toFile: path, atomically: true, encoding: .utf8)
            let result = try judge.check(path)
            let expected: Int32 = c.name == "good" ? 0 : Self.keepalivedAdjustedStatus
            #expect(result.status == expected, "keepalived -t \(c.name): exit \(result.status)\n\(result.output)")
        }
    }
}
