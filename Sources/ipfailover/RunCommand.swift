import ArgumentParser
import FailoverConfig
import LinuxNetworking
import Logging
import ServiceLifecycle

/// `ipfailover run`: the daemon. env mode when OPENSHIFT_HA_VIRTUAL_IPS is set (or
/// `--from-env`): render keepalived.conf from the environment, then run from it,
/// as the OpenShift image does; otherwise run from `--config`.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the VRRP daemon (env mode with OPENSHIFT_HA_VIRTUAL_IPS, else from --config).",
        discussion: """
        Signals: TERM/INT release mastership (priority 0, VIPs removed), run STOP notifies and exit 0; \
        HUP reloads (unchanged instances untouched; a broken file is refused and the old one keeps running); \
        USR1 writes a data dump to /tmp/ipfailover.data, USR2 stats to /tmp/ipfailover.stats.
        """)

    @Option(name: .long, help: "keepalived.conf to run from; in env mode, where the rendered file is written. Default: $KEEPALIVED_CONFIG, else /etc/keepalived/keepalived.conf.")
    var config: String?

    @Flag(name: .long, help: "Render the configuration from OPENSHIFT_HA_* even without OPENSHIFT_HA_VIRTUAL_IPS set (it is then reported missing).")
    var fromEnv = false

    @Option(name: .long, help: "Status endpoint HOST:PORT, or 'off'. Default: $IPFAILOVER_STATUS_ADDRESS, else 127.0.0.1:63000.")
    var statusAddress: String?

    @Option(name: .long, help: "File recording the VIPs we own (for kernels without IFA_PROTO); 'none' disables it.")
    var ownedAddressesFile = "/run/ipfailover/owned-addresses"

    @Option(name: .long, help: "The node's own address for env mode (default: $IPFAILOVER_NODE_ADDRESS, else detected).")
    var nodeAddress: String?

    @Option(name: .long, help: "The node's host name for env mode (default: $IPFAILOVER_HOSTNAME, else gethostname).")
    var hostname: String?

    @Option(name: .long, help: "trace, debug, info, notice, warning, error.")
    var logLevel: String = "info"

    func run() async throws {
        guard let level = Logger.Level(rawValue: logLevel) else {
            throw ValidationError("--log-level '\(logLevel)' is not one of trace, debug, info, notice, warning, error")
        }
        let environment = ProcessEnvironment.current()
        let (statusHost, statusPort) = try StatusAddress.parse(statusAddress ?? environment["IPFAILOVER_STATUS_ADDRESS"])
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "ipfailover")
        let path = config ?? environment["KEEPALIVED_CONFIG"].flatMap { $0.isEmpty ? nil : $0 } ?? "/etc/keepalived/keepalived.conf"

        if fromEnv || EnvironmentMode.isRequested(environment) {
            do {
                let text = try EnvironmentMode.render(environment: environment, nodeAddress: nodeAddress, hostname: hostname,
                                                      warn: { printError($0) })
                try ConfigLoader.write(text, to: path)
                logger.info("env mode: rendered \(path)")
                await Self.installFirewallRule(text: text, path: path, environment: environment, logger: logger)
            } catch let failure as EnvironmentMode.Failure {
                for line in failure.diagnostics { printError(line) }
                throw ExitCode(CheckConfigStatus.cannotRun.rawValue)
            }
        }
        let service = NodeService(configPath: path, statusHost: statusHost, statusPort: statusPort,
                                  ownedAddressesFile: ownedAddressesFile == "none" ? nil : ownedAddressesFile,
                                  logger: logger)
        let group = ServiceGroup(configuration: .init(
            services: [.init(service: service)], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        do {
            try await group.run()
        } catch let error as NodeService.StartupError {
            for line in error.description.split(separator: "\n") { printError(String(line)) }
            throw ExitCode(CheckConfigStatus.cannotRun.rawValue)
        }
    }
}

extension RunCommand {
    /// OPENSHIFT_HA_NFTABLES_RULE / OPENSHIFT_HA_IPTABLES_CHAIN: admit VRRP before
    /// the first advert. A failure is logged, not fatal: hosts that do not filter
    /// input work without the rule. `ipfailover cleanup` removes it.
    static func installFirewallRule(text: String, path: String, environment: [String: String], logger: Logger) async {
        let configuration = KeepalivedConfigParser().parse(text, file: path).configuration
        guard let settings = OpenShiftEnvironment.parse(environment).settings,
              let rule = VRRPFirewall.rule(settings, configuration: configuration) else { return }
        do {
            try await NFTables().install(rule)
            logger.info("VRRP firewall rule installed (\(rule.placement))")
        } catch {
            logger.warning("cannot install the VRRP firewall rule: \(error)")
        }
    }
}

/// `HOST:PORT`, `[v6]:PORT` or `off`.
enum StatusAddress {
    static func parse(_ text: String?) throws -> (host: String?, port: Int) {
        guard let text, !text.isEmpty else { return ("127.0.0.1", 63000) }
        if text == "off" { return (nil, 0) }
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else {
            throw ValidationError("status address '\(text)' is not HOST:PORT (e.g. 127.0.0.1:63000) or 'off'")
        }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return (host, port)
    }
}
