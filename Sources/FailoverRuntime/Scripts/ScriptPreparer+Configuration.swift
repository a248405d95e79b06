import FailoverConfig

extension CheckScriptSpec {
    /// The runtime's view of a `vrrp_script`: its own `user`, else `script_user`.
    public init(_ script: VRRPScript, defaultUser: ScriptUser?) {
        self.init(
            name: script.name, commandLine: script.script, interval: script.interval, timeout: script.timeout,
            rise: script.rise, fall: script.fall, weight: script.weight,
            user: script.user.map { ScriptUser(user: $0, group: script.group) } ?? defaultUser,
            initFail: script.initFail)
    }
}

extension NotifySpec {
    /// The notify settings of an instance or sync group, run as `script_user`.
    public init(_ scripts: NotifyScripts, globals: GlobalDefinitions, user: ScriptUser?) {
        self.init(master: scripts.notifyMaster, backup: scripts.notifyBackup, fault: scripts.notifyFault,
                  stop: scripts.notifyStop, generic: scripts.notify, fifoPath: globals.notifyFifo, user: user)
    }
}

extension GlobalDefinitions {
    /// `script_user USER [GROUP]`, if configured.
    public var defaultScriptUser: ScriptUser? { scriptUser.map { ScriptUser(user: $0, group: scriptGroup) } }
}

extension ScriptPreparer {
    /// What the runtime would do with every script of `configuration` on this host,
    /// as `check-config` diagnostics: the same preparation the daemon runs at start
    /// and at every reload. A check script that cannot run is disabled and a notify
    /// command that cannot run is skipped — keepalived's "Disabling track script …",
    /// which `keepalived -t` counts as an adjusted error — so each is `.adjusted`.
    /// Warnings (insecure path without script security, PATH search) are `.adjusted` too.
    public func diagnostics(for configuration: Configuration, file: String) -> [Diagnostic] {
        let location = Diagnostic.Location.source(SourceLocation(file: file, line: 0, column: 0))
        let user = configuration.globalDefinitions.defaultScriptUser
        var diagnostics: [Diagnostic] = []
        for script in configuration.scripts {
            let prepared = prepare(CheckScriptSpec(script, defaultUser: user))
            if let error = prepared.loadError {
                diagnostics.append(Diagnostic(.adjusted, location,
                    "vrrp_script \(script.name): \(error); the script is disabled: no instance tracks it"))
            }
            for warning in prepared.warnings {
                diagnostics.append(Diagnostic(.adjusted, location, "vrrp_script \(script.name): \(warning)"))
            }
        }
        let owners = configuration.instances.map { ("vrrp_instance \($0.name)", $0.notifyScripts) }
            + configuration.syncGroups.map { ("vrrp_sync_group \($0.name)", $0.notifyScripts) }
        for (owner, scripts) in owners {
            let spec = NotifySpec(scripts, globals: configuration.globalDefinitions, user: user)
            let lines = [spec.master, spec.backup, spec.fault, spec.stop, spec.generic].compactMap { $0 }
            for line in lines {
                var warnings: [ScriptError] = []
                if case .refused(let error) = resolve(commandLine: line, user: spec.user, timeout: .seconds(10),
                                                      warnings: &warnings) {
                    diagnostics.append(Diagnostic(.adjusted, location, "\(owner): notify '\(line)': \(error); it is never run"))
                }
                for warning in warnings {
                    diagnostics.append(Diagnostic(.adjusted, location, "\(owner): notify '\(line)': \(warning)"))
                }
            }
        }
        return diagnostics
    }
}
