@testable import FailoverRuntime
import Synchronization
import Testing
import VRRPWire

@Suite struct ScriptPreparerTests {
    func preparer(_ host: FakeHost, security: Bool = true) -> ScriptPreparer {
        ScriptPreparer(inspector: host, enableScriptSecurity: security, defaultCredentials: .root,
                       environment: ["PATH": "/usr/bin:/bin", "LD_PRELOAD": "/evil.so", "IFS": "x", "HOME": "/root"])
    }

    @Test func executableScriptRunsDirectlyWithSplitArguments() {
        let prepared = preparer(.standard(scripts: ["check.sh"]))
            .prepare(CheckScriptSpec(name: "chk", commandLine: "/etc/keepalived/check.sh 'a b' c", interval: .milliseconds(100)))
        guard case .process(let request) = prepared.probe else { Issue.record("\(prepared.probe)"); return }
        #expect(request.executablePath == "/etc/keepalived/check.sh")
        #expect(request.arguments == ["/etc/keepalived/check.sh", "a b", "c"])
        #expect(request.timeout == .milliseconds(100))  // timeout defaults to the interval
        #expect(request.killGrace == .milliseconds(100))  // grace never longer than the interval
        #expect(request.credentials == nil)
    }

    @Test func fileWithoutInterpreterLineGoesThroughTheShell() {
        var host = FakeHost.standard(scripts: ["check.sh"])
        host.executableFormat = []
        let prepared = preparer(host).prepare(CheckScriptSpec(name: "chk", commandLine: "/etc/keepalived/check.sh x"))
        guard case .process(let request) = prepared.probe else { Issue.record("\(prepared.probe)"); return }
        #expect(request.arguments == ["/bin/sh", "-c", "'/etc/keepalived/check.sh' 'x'"])
    }

    @Test func environmentIsSanitised() {
        let env = ScriptEnvironment.sanitised(["LD_PRELOAD": "a", "LD_LIBRARY_PATH": "b", "LD_AUDIT": "c", "IFS": "d", "HOME": "/root"])
        #expect(env == ["HOME": "/root", "PATH": ScriptEnvironment.defaultPath])
    }

    @Test func missingScriptIsReportedAtLoadAndFails() {
        let prepared = preparer(.standard(scripts: [])).prepare(CheckScriptSpec(name: "chk", commandLine: "/etc/keepalived/gone.sh"))
        #expect(prepared.loadError == .notFound(path: "/etc/keepalived/gone.sh"))
    }

    @Test func nonExecutableScriptIsReportedAtLoad() {
        var host = FakeHost.standard(scripts: ["check.sh"])
        host.files["/etc/keepalived/check.sh"] = FakeHost.file(mode: 0o644)
        let prepared = preparer(host).prepare(CheckScriptSpec(name: "chk", commandLine: "/etc/keepalived/check.sh"))
        #expect(prepared.loadError == .notExecutable(path: "/etc/keepalived/check.sh", uid: 0, gid: 0))
    }

    @Test func bareNameIsFoundOnPath() {
        var host = FakeHost.standard(scripts: [])
        host.files["/bin/pidof"] = FakeHost.file()
        host.files["/bin"] = FakeHost.directory()
        host.executableFormat = ["/bin/pidof"]
        let prepared = preparer(host).prepare(CheckScriptSpec(name: "chk", commandLine: "pidof haproxy"))
        guard case .process(let request) = prepared.probe else { Issue.record("\(prepared.probe)"); return }
        #expect(request.arguments == ["/bin/pidof", "haproxy"])
    }

    @Test("enable_script_security refuses a script run as root when a path component is writable by non-root or owned by it",
          arguments: [
              ("/etc/keepalived", FakeHost.directory(gid: 50, mode: 0o775), "is writable by non-root group gid 50 (mode 775)"),
              ("/etc/keepalived/check.sh", FakeHost.file(uid: 1000, mode: 0o755), "is owned by non-root uid 1000 (mode 755)"),
              ("/etc", FakeHost.directory(mode: 0o777), "is writable by others (mode 777)"),
          ])
    func scriptSecurityRefusesAnUnsafePathComponent(component: String, status: FileStatus, reason: String) {
        var host = FakeHost.standard(scripts: ["check.sh"])
        host.files[component] = status
        let prepared = preparer(host).prepare(CheckScriptSpec(name: "chk", commandLine: "/etc/keepalived/check.sh"))
        #expect(prepared.loadError == .insecure(path: "/etc/keepalived/check.sh", component: component, reason: reason))
    }

    @Test func insecureScriptErrorNamesThePathTheComponentAndTheSetting() {
        let error = ScriptError.insecure(path: "/etc/keepalived/check.sh", component: "/etc/keepalived",
                                         reason: "is writable by non-root group gid 50 (mode 775)")
        #expect(error.description == "refusing script '/etc/keepalived/check.sh': it would run as root but path component '/etc/keepalived' is writable by non-root group gid 50 (mode 775) (enable_script_security)")
    }

    @Test func stickyWorldWritableDirectoryIsAllowed() {
        var host = FakeHost.standard(scripts: ["check.sh"])
        host.files["/etc"] = FakeHost.directory(mode: 0o1777)
        #expect(preparer(host).prepare(CheckScriptSpec(name: "chk", commandLine: "/etc/keepalived/check.sh")).loadError == nil)
    }

    @Test func withoutScriptSecurityAnInsecurePathOnlyWarns() {
        var host = FakeHost.standard(scripts: ["check.sh"])
        host.files["/etc/keepalived"] = FakeHost.directory(mode: 0o777)
        let prepared = preparer(host, security: false).prepare(CheckScriptSpec(name: "chk", commandLine: "/etc/keepalived/check.sh"))
        #expect(prepared.loadError == nil)
        #expect(prepared.warnings.count == 1)
    }

    @Test func nonRootScriptUserNeedsNoPathProtection() {
        var host = FakeHost.standard(scripts: ["check.sh"])
        host.files["/etc/keepalived"] = FakeHost.directory(mode: 0o777)
        host.users["nobody"] = ScriptCredentials(uid: 65534, gid: 65534)
        let prepared = preparer(host).prepare(
            CheckScriptSpec(name: "chk", commandLine: "/etc/keepalived/check.sh", user: ScriptUser(user: "nobody")))
        guard case .process(let request) = prepared.probe else { Issue.record("\(prepared.probe)"); return }
        #expect(request.credentials == ScriptCredentials(uid: 65534, gid: 65534))
    }

    @Test func unknownUserIsRefused() {
        let prepared = preparer(.standard(scripts: ["check.sh"])).prepare(
            CheckScriptSpec(name: "chk", commandLine: "/etc/keepalived/check.sh", user: ScriptUser(user: "ghost")))
        #expect(prepared.loadError == .unknownUser("ghost"))
    }

    @Test func tenMillisecondIntervalIsAccepted() {
        let prepared = preparer(.standard(scripts: ["check.sh"])).prepare(
            CheckScriptSpec(name: "chk", commandLine: "/etc/keepalived/check.sh", interval: .milliseconds(10)))
        #expect(prepared.loadError == nil)
    }

    @Test func intervalBelowTenMillisecondsIsRefused() {
        let prepared = preparer(.standard(scripts: ["check.sh"])).prepare(
            CheckScriptSpec(name: "chk", commandLine: "/etc/keepalived/check.sh", interval: .milliseconds(5)))
        #expect(prepared.loadError != nil)
    }

    /// The OpenShift image's rendered default check runs natively, with a timeout below the interval.
    @Test func defaultTCPCheckIsRecognised() {
        let prepared = preparer(FakeHost()).prepare(
            CheckScriptSpec(name: "chk_x", commandLine: "/bin/bash -c '</dev/tcp/192.0.2.10/8080'", interval: .seconds(2)))
        #expect(prepared.probe == .tcpConnect(address: IPAddress("192.0.2.10")!, port: 8080, timeout: .milliseconds(1800)))
        let v6 = preparer(FakeHost()).prepare(
            CheckScriptSpec(name: "chk_x", commandLine: "/bin/bash -c '</dev/tcp/2001:db8::1/80'", interval: .seconds(1), timeout: .milliseconds(300)))
        #expect(v6.probe == .tcpConnect(address: IPAddress("2001:db8::1")!, port: 80, timeout: .milliseconds(300)))
    }

    @Test func monitorPortZeroMeansNoCheck() {
        for line in ["/bin/bash -c '</dev/tcp/192.0.2.10/0'", "true", "/bin/true"] {
            #expect(preparer(FakeHost()).prepare(CheckScriptSpec(name: "chk", commandLine: line)).probe == .alwaysSucceeds)
        }
    }

    @Test func defaultScriptUserIsKeepalivedScriptWhenItExists() {
        var host = FakeHost()
        #expect(ScriptPreparer.defaultScriptCredentials(inspector: host) == .root)
        host.users["keepalived_script"] = ScriptCredentials(uid: 998, gid: 998)
        #expect(ScriptPreparer.defaultScriptCredentials(inspector: host) == ScriptCredentials(uid: 998, gid: 998))
    }

    /// Counts user lookups (each one goes through NSS on a real host).
    final class CountingHost: ScriptHostInspector {
        let host: FakeHost
        let lookups = Mutex<[String]>([])
        init(_ host: FakeHost) { self.host = host }
        func fileStatus(atPath path: String) -> FileStatus? { host.fileStatus(atPath: path) }
        func credentials(user: String, group: String?) -> ScriptCredentials? {
            lookups.withLock { $0.append(user) }
            return host.credentials(user: user, group: group)
        }
        func hasExecutableFormat(atPath path: String) -> Bool { host.hasExecutableFormat(atPath: path) }
    }

    @Test("The default script user is looked up when a script without a user is prepared, not before")
    func defaultScriptUserIsLookedUpOnlyWhenNeeded() {
        var fake = FakeHost.standard(scripts: ["check.sh"])
        fake.users["keepalived_script"] = ScriptCredentials(uid: 998, gid: 998)
        let host = CountingHost(fake)
        let preparer = ScriptPreparer(inspector: host, enableScriptSecurity: false, environment: [:])
        #expect(host.lookups.withLock { $0 }.isEmpty, "a daemon without scripts never asks NSS")
        let prepared = preparer.prepare(CheckScriptSpec(name: "chk", commandLine: "/etc/keepalived/check.sh",
                                                        interval: .seconds(1)))
        guard case .process(let request) = prepared.probe else { Issue.record("\(prepared.probe)"); return }
        #expect(request.credentials == ScriptCredentials(uid: 998, gid: 998))
        #expect(host.lookups.withLock { $0 } == ["keepalived_script"])
    }

    /// keepalived with enable_script_security, no script_user and no keepalived_script
    /// user: "Unable to set default user keepalived_script for script" — the script is
    /// removed rather than run as root. Without script security it runs as root.
    @Test func scriptSecurityWithoutAnyScriptUserDisablesTheScript() {
        let host = FakeHost.standard(scripts: ["check.sh"])
        let spec = CheckScriptSpec(name: "chk", commandLine: "/etc/keepalived/check.sh")
        let secured = ScriptPreparer(inspector: host, enableScriptSecurity: true, environment: [:]).prepare(spec)
        #expect(secured.loadError == .noScriptUser)
        let open = ScriptPreparer(inspector: host, enableScriptSecurity: false, environment: [:]).prepare(spec)
        guard case .process(let request) = open.probe else { Issue.record("\(open.probe)"); return }
        #expect(request.credentials == nil)  // root, as keepalived without script security
    }
}
