import ArgumentParser
import FailoverConfig

/// Which configuration `check-config` and `config` look at: a FILE given wins;
/// without one, env mode when `--env` is given or OPENSHIFT_HA_VIRTUAL_IPS is set
/// (the rendered keepalived.conf, parsed back as `run` reads it), else
/// $KEEPALIVED_CONFIG or /etc/keepalived/keepalived.conf — what `run` would use.
struct RunConfigurationOptions: ParsableArguments {
    @Argument(help: "The keepalived.conf (default: what 'run' would use — the environment when OPENSHIFT_HA_VIRTUAL_IPS is set, else $KEEPALIVED_CONFIG, else /etc/keepalived/keepalived.conf).")
    var file: String?

    @Flag(name: .long, help: "Use the OPENSHIFT_HA_* environment (and the keepalived.conf it renders) instead of a file.")
    var env = false

    @Option(name: .long, help: "keepalived's config id (-i) for '@id' lines (default: $IPFAILOVER_CONFIG_ID, else the host name up to its first dot).")
    var configID: String?

    @OptionGroup var node: NodeOptions

    func validate() throws {
        if env && file != nil { throw ValidationError("give either a FILE or --env, not both") }
    }

    /// Loads the chosen configuration from `environment` (the process's).
    func load(environment: [String: String]) throws -> RunConfiguration {
        let path = file ?? (env || EnvironmentMode.isRequested(environment) ? nil
            : environment["KEEPALIVED_CONFIG"].flatMap { $0.isEmpty ? nil : $0 } ?? "/etc/keepalived/keepalived.conf")
        if let path {
            var identity = environment
            if let hostname = node.hostname { identity["IPFAILOVER_HOSTNAME"] = hostname }
            let result = ConfigLoader.load(path: path, configID: configID ?? ConfigLoader.defaultConfigID(environment: identity))
            return RunConfiguration(configuration: result.configuration, diagnostics: result.diagnostics, file: path)
        }
        let identity = try node.resolve(environment)
        let (configuration, _, diagnostics) = OpenShiftEnvironment.configuration(environment: environment, node: identity)
        guard let configuration else { return RunConfiguration(configuration: nil, diagnostics: diagnostics, file: "<rendered>") }
        let text = KeepalivedRenderer.environmentMode(node: identity).render(configuration)
        let rendered = KeepalivedConfigParser().parse(text, file: "<rendered>")
        return RunConfiguration(configuration: rendered.configuration, diagnostics: diagnostics + rendered.diagnostics,
                                file: "<rendered>")
    }
}

/// A configuration loaded by `RunConfigurationOptions`.
struct RunConfiguration {
    /// The parsed configuration; nil when env mode could not render one.
    var configuration: Configuration?
    /// Every diagnostic of the environment, the file or the rendered text.
    var diagnostics: [Diagnostic]
    /// The file diagnostics name: the path, or `<rendered>` in env mode.
    var file: String
}
