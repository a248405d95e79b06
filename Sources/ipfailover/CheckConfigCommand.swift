import ArgumentParser
import FailoverConfig
import FailoverRuntime
import LinuxNetworking

/// `ipfailover check-config FILE`: every problem at once, keepalived `-t` exit codes.
/// `--env` checks the OPENSHIFT_HA_* environment instead (and the file it would render).
/// With neither, it checks what `run` would run from: the environment when
/// OPENSHIFT_HA_VIRTUAL_IPS is set, else $KEEPALIVED_CONFIG or
/// /etc/keepalived/keepalived.conf.
struct CheckConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Check a keepalived.conf; print every problem as file:line:column: error|warning: message.",
        discussion: "Exit status: 0 ok, 3 cannot run, 4 errors that were adjusted, 5 scripts without enable_script_security."
    )

    @OptionGroup var source: RunConfigurationOptions

    func run() throws {
        let loaded = try source.load(environment: ProcessEnvironment.current())
        var diagnostics = loaded.diagnostics
        // Scripts are vetted on this host by the daemon's own preparation, so what
        // `run` would disable is reported here.
        if let configuration = loaded.configuration {
            let preparer = ScriptPreparer(inspector: LinuxScriptHostInspector(),
                                          enableScriptSecurity: configuration.globalDefinitions.enableScriptSecurity,
                                          environment: ProcessEnvironment.current())
            diagnostics += preparer.diagnostics(for: configuration, file: loaded.file)
        }
        for diagnostic in diagnostics { print(diagnostic.description) }
        let status = CheckConfigStatus(diagnostics)
        if status != .ok { throw ExitCode(status.rawValue) }
    }
}
