import VRRPWire

/// Turns configured command lines into something runnable, once, at config load:
/// splits the words, resolves the program (PATH search with a warning for bare
/// names), applies `enable_script_security`, recognises the env-mode default check
/// so it runs natively, and reports every problem up front. A script that cannot run
/// is disabled — never run, tracked by no instance — as keepalived disables it.
public struct ScriptPreparer: Sendable {
    /// Host facts (file metadata, user lookup).
    public var inspector: any ScriptHostInspector
    /// `enable_script_security`.
    public var enableScriptSecurity: Bool
    /// Who runs scripts without `user`: keepalived uses `keepalived_script` if it
    /// exists, else root. Unless set, looked up when a script first needs it: the
    /// lookup goes through NSS, which maps libnss_systemd and friends (0.36 MiB of a
    /// daemon's resident memory) even when no script is configured.
    public var defaultCredentials: ScriptCredentials {
        get { explicitDefaultCredentials ?? Self.defaultScriptCredentials(inspector: inspector) }
        set { explicitDefaultCredentials = newValue }
    }
    private var explicitDefaultCredentials: ScriptCredentials?
    /// Sanitised environment for every script.
    public var environment: [String: String]
    /// SIGTERM → SIGKILL grace for every run (keepalived: 2 s; shorter for sub-second checks).
    public var killGrace: Duration
    /// How many stderr lines a run report keeps.
    public var stderrTailLines: Int

    public init(
        inspector: any ScriptHostInspector, enableScriptSecurity: Bool,
        defaultCredentials: ScriptCredentials? = nil, environment: [String: String],
        killGrace: Duration = .seconds(2), stderrTailLines: Int = 5
    ) {
        self.inspector = inspector
        self.enableScriptSecurity = enableScriptSecurity
        explicitDefaultCredentials = defaultCredentials
        self.environment = ScriptEnvironment.sanitised(environment)
        self.killGrace = killGrace
        self.stderrTailLines = stderrTailLines
    }

    /// The user scripts run as when no `script_user`/`user` is configured.
    public static let defaultScriptUser = "keepalived_script"

    /// keepalived's default script user: `keepalived_script` when that user exists, else
    /// root (refused instead under `enable_script_security`, see `resolve`).
    public static func defaultScriptCredentials(inspector: some ScriptHostInspector) -> ScriptCredentials {
        inspector.credentials(user: defaultScriptUser, group: nil) ?? .root
    }

    /// The runnable form of a command, or why it cannot run.
    public enum Resolution: Sendable, Hashable {
        /// Launch this (timeout still to be set by the caller).
        case launch(LaunchRequest)
        /// Refused or missing: every run fails with this error.
        case refused(ScriptError)
    }

    /// Resolves a command line for `credentials`; warnings (e.g. insecure path without
    /// script security, PATH search) are appended to `warnings`.
    public func resolve(
        commandLine: String, user: ScriptUser?, timeout: Duration, warnings: inout [ScriptError]
    ) -> Resolution {
        let command: ScriptCommand
        do { command = try ScriptCommand(parsing: commandLine) } catch { return .refused(error) }
        return resolve(command: command, user: user, timeout: timeout, warnings: &warnings)
    }

    /// Resolves an already split command (notify scripts with their extra arguments).
    public func resolve(
        command: ScriptCommand, user: ScriptUser?, timeout: Duration, warnings: inout [ScriptError]
    ) -> Resolution {
        let credentials: ScriptCredentials
        if let user {
            guard let resolved = inspector.credentials(user: user.user, group: user.group) else {
                return .refused(.unknownUser(user.group.map { "\(user.user):\($0)" } ?? user.user))
            }
            credentials = resolved
        } else if let explicitDefaultCredentials {
            credentials = explicitDefaultCredentials
        } else if let scriptUser = inspector.credentials(user: Self.defaultScriptUser, group: nil) {
            credentials = scriptUser
        } else if enableScriptSecurity {
            // keepalived: "Unable to set default user keepalived_script for script":
            // with script security a script never falls back to root silently.
            return .refused(.noScriptUser)
        } else {
            credentials = .root
        }
        var words = command.words
        if !words[0].contains("/") {
            guard let found = searchPath(for: words[0], credentials: credentials) else {
                return .refused(.notFound(path: words[0]))
            }
            words[0] = found
        }
        let program = words[0]
        guard let file = inspector.fileStatus(atPath: program), file.isRegularFile else {
            return .refused(.notFound(path: program))
        }
        guard ScriptSecurity.isExecutable(file, by: credentials) else {
            return .refused(.notExecutable(path: program, uid: credentials.uid, gid: credentials.gid))
        }
        if ScriptSecurity.needsProtection(file: file, credentials: credentials),
           let (component, reason) = ScriptSecurity.firstUnsafeComponent(of: program, inspector: inspector) {
            let error = ScriptError.insecure(path: program, component: component, reason: reason)
            if enableScriptSecurity { return .refused(error) }
            warnings.append(error)
        }
        let resolved = ScriptCommand(words: words)
        let direct = inspector.hasExecutableFormat(atPath: program)
        let request = LaunchRequest(
            executablePath: direct ? program : "/bin/sh",
            arguments: direct ? words : ["/bin/sh", "-c", resolved.shellCommandString],
            environment: environment,
            credentials: user == nil && credentials == .root ? nil : credentials,
            timeout: timeout, killGrace: killGrace, stderrTailLines: stderrTailLines)
        return .launch(request)
    }

    private func searchPath(for name: String, credentials: ScriptCredentials) -> String? {
        let path = environment["PATH"] ?? ScriptEnvironment.defaultPath
        for dir in path.split(separator: ":") where !dir.isEmpty {
            let candidate = dir + "/" + name
            if let status = inspector.fileStatus(atPath: candidate), status.isRegularFile,
               ScriptSecurity.isExecutable(status, by: credentials) {
                return candidate
            }
        }
        return nil
    }

    /// Prepares one `vrrp_script`.
    public func prepare(_ spec: CheckScriptSpec) -> PreparedCheckScript {
        var warnings: [ScriptError] = []
        func refused(_ error: ScriptError) -> PreparedCheckScript {
            PreparedCheckScript(spec: spec, probe: .disabled(error), warnings: warnings)
        }
        guard spec.interval >= CheckScriptSpec.minimumInterval else {
            return refused(.invalidTiming("interval", "\(spec.interval) is below the 10 ms minimum"))
        }
        guard spec.effectiveTimeout >= CheckScriptSpec.minimumInterval else {
            return refused(.invalidTiming("timeout", "\(spec.effectiveTimeout) is below the 10 ms minimum"))
        }
        if let native = Self.nativeProbe(for: spec) {
            return PreparedCheckScript(spec: spec, probe: native, warnings: warnings)
        }
        switch resolve(commandLine: spec.commandLine, user: spec.user, timeout: spec.effectiveTimeout, warnings: &warnings) {
        case .launch(var request):
            // Bounded overlap: a SIGTERM-ignoring check is killed before the next-but-one
            // run, so at most two runs of one script are ever in flight (timeout ≤ interval).
            request.killGrace = min(killGrace, spec.interval)
            return PreparedCheckScript(spec: spec, probe: .process(request), warnings: warnings)
        case .refused(let error):
            return refused(error)
        }
    }

    /// Checks that need no process: `true`, and the OpenShift image's default check
    /// `/bin/bash -c '</dev/tcp/<ip>/<port>'` (port 0 = no check).
    public static func nativeProbe(for spec: CheckScriptSpec) -> CheckProbe? {
        guard let words = try? ScriptCommand.split(spec.commandLine) else { return nil }
        if words.count == 1, ["true", "/bin/true", "/usr/bin/true"].contains(words[0]) {
            return .alwaysSucceeds
        }
        guard words.count == 3, words[0] == "/bin/bash" || words[0] == "/usr/bin/bash", words[1] == "-c",
              words[2].hasPrefix("</dev/tcp/") else { return nil }
        let target = words[2].dropFirst("</dev/tcp/".count)
        guard let slash = target.lastIndex(of: "/"),
              let address = IPAddress(target[..<slash]),
              let port = UInt16(target[target.index(after: slash)...]) else { return nil }
        if port == 0 { return .alwaysSucceeds }
        // Shorter than the interval so a black-holed port is a failure before the next run.
        let timeout = min(spec.effectiveTimeout, spec.interval * 9 / 10)
        return .tcpConnect(address: address, port: port, timeout: timeout)
    }
}
