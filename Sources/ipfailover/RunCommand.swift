import ArgumentParser
import FailoverConfig
import FailoverRuntime
import LinuxNetworking
import Logging
import NIOCore
import ServiceLifecycle
import UnixSignals

#if canImport(Glibc)
import Glibc
#endif

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
        USR1 writes a data dump to <dump-directory>/ipfailover.data, USR2 stats to <dump-directory>/ipfailover.stats.
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

    @Option(name: .long, help: "keepalived's config id (-i) for '@id' lines (default: $IPFAILOVER_CONFIG_ID, else the host name up to its first dot).")
    var configID: String?

    @Option(name: .long, help: "Ensure an nftables rule admitting VRRP: 'FAMILY TABLE CHAIN' (an existing chain), or any other value (e.g. 'own') for table inet ipfailover. Default: $OPENSHIFT_HA_NFTABLES_RULE, else $OPENSHIFT_HA_IPTABLES_CHAIN (chain of ip filter).")
    var firewall: String?

    @Option(name: .long, help: "Where SIGUSR1/SIGUSR2 write ipfailover.data and ipfailover.stats.")
    var dumpDirectory = "/tmp"

    @Option(name: .long, help: "Transitions /status keeps per instance, 1 to 1024. Default: $IPFAILOVER_HISTORY_SIZE, else 32.")
    var historySize: String?

    @Option(name: .long, help: "trace, debug, info, notice, warning, error.")
    var logLevel: String = "info"

    func run() async throws {
        // Trapped first: the default action of HUP, USR1 and USR2 is to terminate, and
        // a reload signal sent while the daemon starts must not kill it. Signals that
        // arrive before the loop runs wait in the sequence and are served after start.
        let signals = await UnixSignalsSequence(trapping: .sighup, .sigusr1, .sigusr2)
        guard let level = Logger.Level(rawValue: logLevel) else {
            throw ValidationError("--log-level '\(logLevel)' is not one of trace, debug, info, notice, warning, error")
        }
        // Three small read-only endpoints need one event-loop thread, not one per core.
        NIOSingletons.groupLoopCountSuggestion = 1
        let environment = ProcessEnvironment.current()
        let (statusHost, statusPort) = try StatusAddress.parse(statusAddress ?? environment["IPFAILOVER_STATUS_ADDRESS"])
        let historyCapacity: Int
        do {
            historyCapacity = if let historySize {
                try TransitionHistory.capacity(historySize, source: "--history-size")
            } else {
                try TransitionHistory.capacity(environment[TransitionHistory.sizeVariable], source: TransitionHistory.sizeVariable)
            }
        } catch {
            throw ValidationError("\(error)")
        }
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "ipfailover")
        // Fixed for the process's life, so every reload applies '@id' lines as the start did.
        var identity = environment
        if let hostname { identity["IPFAILOVER_HOSTNAME"] = hostname }
        setenv(ConfigLoader.configIDVariable, configID ?? ConfigLoader.defaultConfigID(environment: identity), 1)
        let path = config ?? environment["KEEPALIVED_CONFIG"].flatMap { $0.isEmpty ? nil : $0 } ?? "/etc/keepalived/keepalived.conf"

        // Before anything is written: a bad firewall value stops start-up with nothing touched.
        let firewallPlacement = try FirewallSetting.placement(flag: firewall, environment: environment)

        // Before anything is written or touched (the rendered file, stale VIPs, the
        // firewall, the status port): a second daemon would strip the first one's VIPs.
        let lock: NamespaceLock
        do {
            lock = try NamespaceLock.acquire()
        } catch {
            printError("ipfailover run: \(error); not starting (nothing was changed)")
            throw ExitCode(CheckConfigStatus.cannotRun.rawValue)
        }
        defer { lock.release() }

        if fromEnv || EnvironmentMode.isRequested(environment) {
            do {
                let text = try EnvironmentMode.render(environment: environment, nodeAddress: nodeAddress, hostname: hostname,
                                                      warn: { printError($0) })
                try ConfigLoader.write(text, to: path)
                logger.info("env mode: rendered \(path)")
            } catch let failure as EnvironmentMode.Failure {
                for line in failure.diagnostics { printError(line) }
                throw ExitCode(CheckConfigStatus.cannotRun.rawValue)
            }
        }
        FileDescriptorBudget.raiseSoftLimit(logger: logger)
        let service = NodeService(configPath: path, statusHost: statusHost, statusPort: statusPort,
                                  ownedAddressesFile: ownedAddressesFile == "none" ? nil : ownedAddressesFile,
                                  dumpDirectory: dumpDirectory,
                                  firewall: firewallPlacement, historySize: historyCapacity,
                                  signals: signals, logger: logger)
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
