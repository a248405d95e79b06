import FailoverConfig

/// What `run` would run from, loaded for `check-config` and `config`: a FILE given
/// wins; without one, env mode when `--env` is given or OPENSHIFT_HA_VIRTUAL_IPS is
/// set (the rendered keepalived.conf, parsed back as `run` reads it), else
/// $KEEPALIVED_CONFIG or /etc/keepalived/keepalived.conf.
struct RunConfiguration {
    /// The parsed configuration; nil when env mode could not render one.
    var configuration: Configuration?
    /// Every diagnostic of the environment, the file or the rendered text.
    var diagnostics: [Diagnostic]
    /// The file diagnostics name: the path, or `<rendered>` in env mode.
    var file: String

    static func load(file: String?, env: Bool, configID: String?, node: NodeOptions,
                     environment: [String: String]) throws -> RunConfiguration {
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
