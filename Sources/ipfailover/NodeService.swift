import FailoverConfig
import FailoverRuntime
import Logging
import LinuxNetworking
import NIOPosix
import ServiceLifecycle
import StatusServer
import UnixSignals
import VRRPWire

/// Wiring of one node: Linux ports, the daemon, the status server and signals.
/// No decisions live here; they are in FailoverRuntime and below.
struct NodeService: Service {
    var configPath: String
    var statusHost: String?
    var statusPort: Int
    var ownedAddressesFile: String?
    var dumpDirectory: String
    /// Where the VRRP rule goes (see `FirewallSetting`); nil: leave the firewall alone.
    var firewall: FirewallRule.Placement?
    /// Transitions `/status` keeps per instance.
    var historySize: Int
    /// HUP, USR1 and USR2, trapped before start-up (see `RunCommand`).
    var signals: UnixSignalsSequence
    var logger: Logger

    struct StartupError: Error, CustomStringConvertible {
        var description: String
    }

    /// Loads and resolves the configuration file; every diagnostic goes to `report`.
    static func loadPlan(path: String, addresses: AddressManager, report: (String) -> Void)
        -> Result<(RuntimePlan, Configuration), ReloadRejected> {
        let result = ConfigLoader.load(path: path)
        for d in result.diagnostics { report(d.description) }
        guard result.status != .cannotRun else {
            return .failure(ReloadRejected(diagnostics: result.diagnostics.filter { $0.severity == .error }.map(\.description)))
        }
        let vips = Set(result.configuration.instances.flatMap { $0.virtualIPAddresses.map(\.address) })
        let resolved = RuntimePlan.resolve(result.configuration) { interface, family in
            primaryAddress(interface: interface, family: family, excluding: vips, manager: addresses)
        }
        switch resolved {
        case .success(let plan): return .success((plan, result.configuration))
        case .failure(let errors): return .failure(ReloadRejected(diagnostics: errors.errors.map(\.description)))
        }
    }

    /// RFC 5798 §5.1.1.1 / §5.1.2.1: adverts come from the interface's primary
    /// IPv4 address, or for IPv6 its link-local address. Never one of our VIPs.
    static func primaryAddress(interface: String, family: AddressFamily, excluding vips: Set<IPAddress>,
                               manager: AddressManager) -> IPAddress? {
        guard let all = try? manager.addresses(interface: interface, family: family) else { return nil }
        let candidates = all.filter { !vips.contains($0.address) && $0.protocolTag != manager.configuration.protocolTag }
        switch family {
        case .ipv4: return candidates.first { $0.scope == AddressScope.global.rawValue }?.address ?? candidates.first?.address
        case .ipv6:
            return candidates.first { if case .v6(let a) = $0.address { a.isLinkLocal } else { false } }?.address
        }
    }

    func run() async throws {
        let addresses = try AddressManager(.init(stateFilePath: ownedAddressesFile))
        for stale in try addresses.removeStaleAddresses() {
            logger.warning("removed \(stale.address) left behind by a previous run")
        }
        let logger = logger
        let (plan, configuration): (RuntimePlan, Configuration)
        switch Self.loadPlan(path: configPath, addresses: addresses, report: { logger.warning("\($0)") }) {
        case .success(let loaded): (plan, configuration) = loaded
        case .failure(let rejected): throw StartupError(description: rejected.description)
        }
        if let firewall {
            // The rule stays when we stop (a restart must not find VRRP blocked);
            // `ipfailover cleanup` removes it.
            for rule in FirewallSetting.rules(for: configuration, placement: firewall) {
                do {
                    try await NFTables().install(rule)
                    logger.info("firewall: VRRP admitted on \(rule.interface)")
                } catch {
                    logger.error("firewall: cannot admit VRRP on \(rule.interface): \(error)")
                }
            }
        }
        // The engine's home thread: its executor, its alarm and the reader of the VRRP
        // sockets (see EngineThread).
        let engineThread = try EngineThread()
        engineThread.receiveCoalescing = plan.receiveCoalescing
        let transport = LinuxVRRPTransport(thread: engineThread)
        for failure in transport.open(for: plan) { logger.warning("VRRP socket not open yet: \(failure)") }
        let announcer = LinuxAnnouncer(logger: logger)
        // Sockets and interface indexes ready before the first takeover needs them.
        announcer.prepare(interfaces: Self.announcedInterfaces(plan))
        addresses.prepare(interfaces: Self.announcedInterfaces(plan))
        let links = try LinkMonitor(addressEvents: false)
        let daemon = FailoverDaemon(
            plan: plan,
            scripts: ScriptSettings(enableScriptSecurity: configuration.globalDefinitions.enableScriptSecurity),
            ports: DaemonPorts(
                sender: transport, addresses: LinuxVirtualAddresses(manager: addresses), announcer: announcer,
                launcher: LinuxProcessLauncher(), tcpProbe: LinuxTCPConnectProbe(), inspector: LinuxScriptHostInspector(),
                openFIFO: { LinuxNotifyFIFO(path: $0) }, environment: ProcessEnvironment.current(),
                wallClock: SystemWallClock(), alarm: engineThread),
            clock: ContinuousClock(), logger: logger, historySize: historySize)
        let engine = daemon.engine
        // Link state before the first transition: a tracked interface that is down
        // (or missing) starts the instance in FAULT, not BACKUP.
        await Self.reportDownLinks(tracked: plan, links: links, to: engine)
        // The status endpoint first: a port already in use is a start-up error,
        // raised before any VIP is touched.
        var server: StatusHTTPServer?
        var statusGroup: MultiThreadedEventLoopGroup?
        if let statusHost {
            // One event-loop thread: a few scrapes a minute need no more, and NIO's
            // default group starts one per core, each with its own stack and task
            // queues in the daemon's resident memory.
            let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
            statusGroup = group
            do {
                server = try await StatusHTTPServer.start(host: statusHost, port: statusPort,
                                                          source: DaemonStatusSource(daemon: daemon), group: group)
            } catch {
                try? await group.shutdownGracefully()
                throw error
            }
            logger.info("status endpoint on http://\(statusHost):\(server!.port)/status")
        }
        // Feed packets and link events before the instances start: a backup whose
        // adverts waited behind the status server's start-up timed out and went
        // MASTER beside the real master (seen with 255 instances at 0.1 s).
        // The transport's reads run on the engine thread, the engine's executor.
        transport.onReceive { packets, malformed in engine.assumeIsolated { $0.receive(packets, malformed: malformed) } }
        let currentPlan = PlanBox(plan)
        let feeders = [
            Task {
                for await event in links.events() {
                    switch event {
                    case .linkChanged(let status):
                        if status.isUsable { transport.open(for: await currentPlan.value) }
                        await engine.interfaceChanged(name: status.name, up: status.isUsable)
                    case .linkRemoved(let status):
                        await engine.interfaceChanged(name: status.name, up: false)
                    case .addressAdded, .addressRemoved:
                        break  // not subscribed (see LinkMonitor.init)
                    }
                }
            },
        ]
        await daemon.start()

        // Reloads run beside the signal loop, never in it: parsing a large file takes
        // time, and SIGTERM must be served meanwhile. Requests that arrive during a
        // reload collapse into one more reload after it (the newest file is what counts).
        let (reloadRequests, requestReload) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let configPath = configPath
        let reloader = Task {
            for await _ in reloadRequests {
                logger.notice("SIGHUP: reloading \(configPath)")
                // On a thread of its own: the parse blocks, the concurrency pool must not.
                let loaded = try? await DedicatedThread.run {
                    Self.loadPlan(path: configPath, addresses: addresses, report: { logger.warning("\($0)") })
                }
                guard let loaded, !Task.isCancelled else { break }
                if case .success(let (newPlan, _)) = loaded {
                    // An interface the new plan tracks may have been down, untracked,
                    // since start-up: the engine learns it before the reload starts
                    // the new instances (it replays what it knows into them).
                    await Self.reportDownLinks(tracked: newPlan, links: links, to: engine)
                    transport.open(for: newPlan)
                    engineThread.receiveCoalescing = newPlan.receiveCoalescing
                    announcer.prepare(interfaces: Self.announcedInterfaces(newPlan))
                    addresses.prepare(interfaces: Self.announcedInterfaces(newPlan))
                    await currentPlan.set(newPlan)
                }
                _ = await daemon.reload { loaded.map(\.0) }
            }
        }

        for await signal in signals.cancelOnGracefulShutdown() {
            switch signal {
            case .sighup:
                requestReload.yield()
            case .sigusr1:
                await Self.writeDump(await daemon.dataDump(), to: "\(dumpDirectory)/ipfailover.data", logger: logger)
            case .sigusr2:
                await Self.writeDump(await daemon.statsDump(), to: "\(dumpDirectory)/ipfailover.stats", logger: logger)
            default:
                break
            }
        }
        // A reload still parsing is abandoned (its thread ends with the process); the
        // daemon ignores any reload that reaches it once shutdown has begun.
        requestReload.finish()
        reloader.cancel()

        logger.notice("shutting down: releasing mastership")
        await daemon.shutdown()
        announcer.cancelAll()
        for feeder in feeders { feeder.cancel() }
        links.close()
        transport.close()
        await server?.shutdown()
        try? await statusGroup?.shutdownGracefully()
    }

    /// Tells the engine about every interface `plan` tracks that is down or missing
    /// right now (from the link monitor's snapshot).
    static func reportDownLinks(tracked plan: RuntimePlan, links: LinkMonitor,
                                to engine: FailoverEngine<ContinuousClock>) async {
        let known = Dictionary(links.snapshot().compactMap { event -> (String, Bool)? in
            if case .linkChanged(let s) = event { (s.name, s.isUsable) } else { nil }
        }, uniquingKeysWith: { $1 })
        for name in Set(plan.instances.flatMap { $0.router.trackedInterfaces.map(\.name) }).sorted() where known[name] != true {
            await engine.interfaceChanged(name: name, up: false)
        }
    }

    /// Every interface a VIP of `plan` lives on.
    static func announcedInterfaces(_ plan: RuntimePlan) -> Set<String> {
        Set(plan.instances.flatMap { ($0.virtualAddresses + $0.excludedAddresses).map(\.interface) })
    }

    static func writeDump(_ text: String, to path: String, logger: Logger) async {
        do {
            try ConfigLoader.write(text, to: path)
            logger.notice("wrote \(path)")
        } catch {
            logger.error("\(error)")
        }
    }
}

/// The current plan, shared with the link-event task.
actor PlanBox {
    var value: RuntimePlan
    init(_ value: RuntimePlan) { self.value = value }
    func set(_ plan: RuntimePlan) { value = plan }
}

/// `/healthz`, `/status`, `/metrics` from the daemon.
struct DaemonStatusSource<C: Clock>: StatusSource where C.Duration == Duration {
    let daemon: FailoverDaemon<C>
    func isHealthy() async -> Bool { await daemon.isHealthy() }
    func statusJSON() async -> [UInt8] { await daemon.statusJSON() }
    func metricsText() async -> [UInt8] { await daemon.metricsText() }
}
