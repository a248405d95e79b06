import Logging

/// What the daemon needs from the platform besides the engine's network ports.
public struct DaemonPorts: Sendable {
    public var sender: any AdvertisementSender
    public var addresses: any VirtualAddressManager
    public var announcer: any NeighborAnnouncing
    public var launcher: any ProcessLauncher
    public var tcpProbe: any TCPConnectProbe
    public var inspector: any ScriptHostInspector
    public var openFIFO: @Sendable (String) -> (any NotifyFIFOWriter)?
    /// The daemon's environment; scripts get it sanitised.
    public var environment: [String: String]
    /// Reads the clock of the kernel's packet timestamps (see `FailoverEngine`).
    public var wallClock: (any WallClock)?
    /// Wakes the engine at its deadlines (see `FailoverEngine`).
    public var alarm: (any EngineAlarm)?

    public init(sender: any AdvertisementSender, addresses: any VirtualAddressManager, announcer: any NeighborAnnouncing,
                launcher: any ProcessLauncher, tcpProbe: any TCPConnectProbe, inspector: any ScriptHostInspector,
                openFIFO: @escaping @Sendable (String) -> (any NotifyFIFOWriter)?, environment: [String: String],
                wallClock: (any WallClock)? = nil, alarm: (any EngineAlarm)? = nil) {
        self.wallClock = wallClock
        self.alarm = alarm
        self.sender = sender
        self.addresses = addresses
        self.announcer = announcer
        self.launcher = launcher
        self.tcpProbe = tcpProbe
        self.inspector = inspector
        self.openFIFO = openFIFO
        self.environment = environment
    }
}

/// Script settings that come from `global_defs`.
public struct ScriptSettings: Sendable, Hashable {
    /// `enable_script_security`.
    public var enableScriptSecurity: Bool
    /// Notify script budgets.
    public var notify: NotifyDispatcher.Configuration

    public init(enableScriptSecurity: Bool = false, notify: NotifyDispatcher.Configuration = .init()) {
        self.enableScriptSecurity = enableScriptSecurity
        self.notify = notify
    }
}

/// The running node: the engine, the check-script scheduler feeding it, the notify
/// dispatcher and the metrics. Reload swaps the plan under all three; shutdown
/// stops checks, releases mastership and drains the STOP notifies.
public actor FailoverDaemon<C: Clock> where C.Duration == Duration {
    let clock: C
    let ports: DaemonPorts
    let logger: Logger
    let notifier: NotifyDispatcher
    /// Each instance's recent transitions and their notify calls (`/status`).
    public nonisolated let history: TransitionHistory
    /// Resolves and vets scripts; replaced when a reload changes `enable_script_security`.
    var preparer: ScriptPreparer
    public nonisolated let engine: FailoverEngine<C>
    var plan: RuntimePlan
    var scheduler: CheckScriptScheduler<C>?
    var schedulerFeed: Task<Void, Never>?
    let metrics: FailoverMetrics
    /// Set when shutdown begins: a reload still in flight then changes nothing, so
    /// no check script or instance starts after the release.
    var shuttingDown = false
    /// The check scripts of `plan` as last vetted.
    var prepared: [PreparedCheckScript]

    /// `historySize`: transitions `/status` keeps per instance (`TransitionHistory`).
    public init(plan: RuntimePlan, scripts: ScriptSettings, ports: DaemonPorts, clock: C, logger: Logger,
                historySize: Int = TransitionHistory.defaultCapacity) {
        self.clock = clock
        self.ports = ports
        self.logger = logger
        self.plan = plan
        // The default script user (keepalived_script, else root) is looked up when a
        // script first needs it.
        let preparer = ScriptPreparer(inspector: ports.inspector, enableScriptSecurity: scripts.enableScriptSecurity,
                                      environment: ports.environment)
        self.preparer = preparer
        history = TransitionHistory(capacity: historySize)
        notifier = NotifyDispatcher(preparer: preparer, launcher: ports.launcher, openFIFO: ports.openFIFO,
                                    configuration: scripts.notify, logger: logger, history: history)
        // Scripts are vetted before the engine exists: a disabled one is tracked by
        // no instance from the first moment, as keepalived does.
        let prepared = plan.checkScripts.map { preparer.prepare($0) }
        self.prepared = prepared
        engine = FailoverEngine(
            plan: plan.withoutTracking(Self.disabledNames(prepared)),
            ports: EnginePorts(sender: ports.sender, addresses: ports.addresses, announcer: ports.announcer, notifier: notifier),
            clock: clock, logger: logger, wallClock: ports.wallClock, alarm: ports.alarm)
        metrics = FailoverMetrics()
    }

    /// Starts the check scripts, then every instance.
    public func start() async {
        logLoadProblems(prepared)
        startScheduler(prepared)
        await engine.start()
    }

    static func disabledNames(_ prepared: [PreparedCheckScript]) -> Set<String> {
        Set(prepared.filter(\.isDisabled).map(\.spec.name))
    }

    private func logLoadProblems(_ prepared: [PreparedCheckScript]) {
        for p in prepared {
            if let error = p.loadError {
                logger.error("vrrp_script \(p.spec.name): \(error); the script is disabled: no instance tracks it",
                             metadata: ["vrrp.script": "\(p.spec.name)"])
            }
            for warning in p.warnings {
                logger.warning("vrrp_script \(p.spec.name): \(warning)", metadata: ["vrrp.script": "\(p.spec.name)"])
            }
        }
    }

    /// SIGHUP with a configuration that resolved: unchanged instances untouched,
    /// check scripts restarted only when their definitions changed.
    @discardableResult
    public func reload(_ newPlan: RuntimePlan) async -> ReloadSummary {
        guard !shuttingDown else {
            logger.notice("reload ignored: shutting down")
            return ReloadSummary()
        }
        if let security = newPlan.enableScriptSecurity, security != preparer.enableScriptSecurity {
            preparer.enableScriptSecurity = security
            notifier.replacePreparer(preparer)
            logger.notice("enable_script_security is now \(security ? "on" : "off")")
        }
        // Every reload vets the scripts again (a file may have appeared or lost its
        // x bit, script security may have changed); the scheduler leaves unchanged
        // ones running with their rise/fall state.
        let prepared = newPlan.checkScripts.map { preparer.prepare($0) }
        logLoadProblems(prepared)
        if let scheduler {
            await scheduler.update(prepared)
            // Shutdown may have begun while the scheduler took the update.
            guard !shuttingDown else { return ReloadSummary() }
        } else {
            startScheduler(prepared)
        }
        self.prepared = prepared
        plan = newPlan
        let summary = await engine.reload(newPlan.withoutTracking(Self.disabledNames(prepared)))
        history.retain(instances: Set(newPlan.instances.map(\.name)))
        logger.notice("reloaded: \(summary.unchanged.count) unchanged, \(summary.restarted.count) restarted, \(summary.added.count) added, \(summary.removed.count) removed")
        return summary
    }

    /// SIGTERM/SIGINT: stop the checks, release mastership (priority 0, VIPs
    /// removed), run STOP notifies with the short timeout and wait for them.
    public func shutdown() async {
        shuttingDown = true
        await stopScheduler()
        notifier.beginShutdown()
        await engine.shutdown()
        await notifier.drain()
    }

    /// Scripts' status now, in plan order.
    public func scriptStatus() -> [CheckScriptStatus] { scheduler?.status() ?? [] }

    /// Notify delivery counters.
    public var notifyStatistics: NotifyDispatcher.Statistics { notifier.statistics }

    private func startScheduler(_ prepared: [PreparedCheckScript]) {
        guard !prepared.isEmpty else { scheduler = nil; return }
        let scheduler = CheckScriptScheduler(clock: clock, launcher: ports.launcher, tcpProbe: ports.tcpProbe)
        scheduler.start(prepared)
        let engine = engine
        let metrics = metrics
        let logger = logger
        schedulerFeed = Task {
            for await report in scheduler.reports {
                let metadata: Logger.Metadata = ["vrrp.script": "\(report.script)"]
                guard report.isResult else {
                    // The daemon's own resources, not the service: the instances keep
                    // the last verdict; the next tick tries again.
                    logger.error("check \(report.summary)", metadata: metadata)
                    continue
                }
                if case .process(let outcome) = report.detail {
                    metrics.recordCheckRun(script: report.script, duration: outcome.duration)
                    ScriptOutputLog.log(outcome, of: "vrrp_script \(report.script)", failed: !report.succeeded,
                                        metadata: metadata, to: logger)
                }
                if let transition = report.transition {
                    logger.notice("check \(report.summary) → \(transition.rawValue)", metadata: metadata)
                } else if !report.succeeded {
                    logger.info("check \(report.summary)", metadata: metadata)
                }
                await engine.checkResult(script: report.script, succeeded: report.succeeded,
                                         detail: report.succeeded ? nil : report.summary)
            }
        }
        self.scheduler = scheduler
    }

    private func stopScheduler() async {
        await scheduler?.stop()
        await schedulerFeed?.value
        scheduler = nil
        schedulerFeed = nil
    }
}

/// Why a reload was refused; the running configuration stays.
public struct ReloadRejected: Error, Sendable, CustomStringConvertible {
    /// Every diagnostic, formatted as `check-config` prints it.
    public var diagnostics: [String]
    public init(diagnostics: [String]) { self.diagnostics = diagnostics }
    public var description: String { diagnostics.joined(separator: "\n") }
}

extension FailoverDaemon {
    /// SIGHUP: load and resolve the configuration again; a broken one is logged
    /// with every diagnostic and the old one keeps running untouched.
    public func reload(loading load: @Sendable () -> Result<RuntimePlan, ReloadRejected>) async -> Result<ReloadSummary, ReloadRejected> {
        switch load() {
        case .success(let newPlan):
            return .success(await reload(newPlan))
        case .failure(let rejected):
            logger.error("reload refused, keeping the running configuration")
            for line in rejected.diagnostics { logger.error("\(line)") }
            return .failure(rejected)
        }
    }
}
