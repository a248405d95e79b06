import Synchronization
import VRRPCore

/// Runs every `vrrp_script` on its own fixed-rate schedule and reports each run.
///
/// A run is started at every tick, whatever happened to earlier runs: a hung
/// script cannot freeze the schedule (keepalived's "still running, skip" wedge, issue
/// #1364). Each run is bounded by the launcher's timeout + kill grace; with the
/// default timeout (= interval) runs do not overlap, and when a user configures
/// timeout > interval the overlapping runs are still reported strictly in start
/// order. The clock is a parameter so tests drive the schedule by hand.
///
/// ```
///  tick ──▶ start run n ──▶ (launcher: exit | timeout→TERM→grace→KILL) ──▶ report n
///    └────── interval ──────▶ tick ──▶ start run n+1 (never waits for run n)
/// ```
public final class CheckScriptScheduler<C: Clock>: Sendable where C.Duration == Duration {
    public typealias Report = CheckRunReport<C.Instant>

    private let clock: C
    private let launcher: any ProcessLauncher
    private let tcpProbe: any TCPConnectProbe
    private let state: Mutex<SchedulerState>
    private let continuation: AsyncStream<Report>.Continuation
    /// Every run's report, per script in run order. Consume it: if the consumer falls
    /// more than `reportBufferLimit` reports behind, the oldest are dropped.
    public let reports: AsyncStream<Report>
    /// Reports kept for a slow consumer.
    public static var reportBufferLimit: Int { 4096 }

    private struct ScriptState {
        /// Distinguishes a restarted script's runs from the previous incarnation's.
        var generation: Int
        var prepared: PreparedCheckScript
        /// The verdict, by the same rule the instances apply to the same results.
        var verdict: RiseFall
        var status: CheckScriptStatus
        var nextToDeliver = 1
        var finished: [Int: Report] = [:]
    }

    private struct SchedulerState {
        var scripts: [String: ScriptState] = [:]
        var order: [String] = []
        var tasks: [String: Task<Void, Never>] = [:]
        var nextGeneration = 0
        /// Set by `stop()`: runs it cancels are not results (a killed check is not a
        /// failing service), so they are never reported.
        var stopping = false
    }

    public init(clock: C, launcher: any ProcessLauncher, tcpProbe: any TCPConnectProbe) {
        self.clock = clock
        self.launcher = launcher
        self.tcpProbe = tcpProbe
        state = Mutex(SchedulerState())
        (reports, continuation) = AsyncStream.makeStream(of: Report.self, bufferingPolicy: .bufferingNewest(Self.reportBufferLimit))
    }

    /// Starts the schedules; the first run of each script starts at once. A name
    /// that is already scheduled is left alone. A disabled script is listed in
    /// `status()` but never run.
    public func start(_ scripts: [PreparedCheckScript]) {
        state.withLock { state in
            for prepared in scripts where state.scripts[prepared.spec.name] == nil {
                Self.add(prepared, to: &state, scheduler: self)
            }
        }
    }

    /// Reload: scripts whose preparation is unchanged keep running untouched (and
    /// keep their rise/fall state); changed ones restart; removed ones stop (their
    /// runs in flight are terminated); new ones start.
    public func update(_ scripts: [PreparedCheckScript]) async {
        let wanted = Dictionary(scripts.map { ($0.spec.name, $0) }, uniquingKeysWith: { first, _ in first })
        let stopped = state.withLock { state -> [Task<Void, Never>] in
            var stopped: [Task<Void, Never>] = []
            for name in state.order where wanted[name] != state.scripts[name]?.prepared {
                if let task = state.tasks.removeValue(forKey: name) { stopped.append(task) }
                state.scripts[name] = nil
            }
            state.order.removeAll { state.scripts[$0] == nil }
            for prepared in scripts where state.scripts[prepared.spec.name] == nil {
                Self.add(prepared, to: &state, scheduler: self)
            }
            return stopped
        }
        for task in stopped { task.cancel() }
        for task in stopped { await task.value }
    }

    private static func add(_ prepared: PreparedCheckScript, to state: inout SchedulerState, scheduler: CheckScriptScheduler) {
        let spec = prepared.spec
        let verdict = RiseFall(rise: spec.rise, fall: spec.fall, initFail: spec.initFail)
        let status = CheckScriptStatus(
            name: spec.name, state: verdict.status, consecutiveSuccesses: 0, consecutiveFailures: 0,
            runsStarted: 0, runsCompleted: 0, failures: 0, timeouts: 0, runsInFlight: 0, missedTicks: 0,
            strayProcessesKilled: 0, lastDuration: nil, lastFailure: nil, lastStderrTail: [],
            loadError: prepared.loadError, warnings: prepared.warnings)
        state.nextGeneration += 1
        let generation = state.nextGeneration
        state.scripts[spec.name] = ScriptState(generation: generation, prepared: prepared, verdict: verdict, status: status)
        state.order.append(spec.name)
        guard !prepared.isDisabled else { return }
        state.tasks[spec.name] = Task { await scheduler.schedule(prepared, generation: generation) }
    }

    /// Stops every schedule, terminates runs in flight (through the launcher) and
    /// waits for them; then finishes `reports`.
    public func stop() async {
        let tasks = state.withLock { state in
            state.stopping = true
            defer { state.tasks = [:] }
            return Array(state.tasks.values)
        }
        for task in tasks { task.cancel() }
        for task in tasks { await task.value }
        continuation.finish()
    }

    /// Current status of every script, in configuration order.
    public func status() -> [CheckScriptStatus] {
        state.withLock { state in state.order.compactMap { state.scripts[$0]?.status } }
    }

    private func schedule(_ prepared: PreparedCheckScript, generation: Int) async {
        let name = prepared.spec.name
        let interval = prepared.spec.interval
        await withDiscardingTaskGroup { group in
            var next = clock.now
            var sequence = 0
            while !Task.isCancelled {
                do { try await clock.sleep(until: next, tolerance: nil) } catch { break }
                sequence += 1
                let run = sequence
                let startedAt = clock.now
                state.withLock { state in
                    guard state.scripts[name]?.generation == generation else { return }
                    state.scripts[name]?.status.runsStarted += 1
                    state.scripts[name]?.status.runsInFlight += 1
                }
                group.addTask { [self] in
                    let (succeeded, detail) = await self.execute(prepared.probe)
                    self.finish(name: name, generation: generation, sequence: run, succeeded: succeeded, detail: detail, startedAt: startedAt)
                }
                next = next.advanced(by: interval)
                // Fixed rate; if we fell behind (suspended host), skip to the next future tick.
                let now = clock.now
                if next < now {
                    let behind = next.duration(to: now)
                    let skipped = Int(behind / interval) + 1
                    next = next.advanced(by: interval * skipped)
                    state.withLock { state in
                        if state.scripts[name]?.generation == generation { state.scripts[name]?.status.missedTicks += skipped }
                    }
                }
            }
        }
    }

    private func execute(_ probe: CheckProbe) async -> (Bool, Report.Detail) {
        switch probe {
        case .alwaysSucceeds:
            return (true, .alwaysSucceeds)
        case .disabled(let error):
            // Never scheduled; kept total for the switch.
            return (false, .notStarted("disabled: \(error)"))
        case .tcpConnect(let address, let port, let timeout):
            let result = await tcpProbe.connect(to: address, port: port, timeout: timeout)
            switch result {
            case .connected: return (true, .tcpConnect(result))
            case .resourceExhausted(let why): return (false, .notStarted(why))
            case .failed, .timedOut: return (false, .tcpConnect(result))
            }
        case .process(let request):
            let outcome = await launcher.launch(request)
            if case .resourceExhausted(let why) = outcome.termination { return (false, .notStarted(why)) }
            return (outcome.succeeded, .process(outcome))
        }
    }

    private func finish(
        name: String, generation: Int, sequence: Int, succeeded: Bool, detail: Report.Detail, startedAt: C.Instant
    ) {
        let finishedAt = clock.now
        state.withLock { state in
            // A run of a stopped or restarted script: nobody tracks it any more.
            guard var script = state.scripts[name], script.generation == generation else { return }
            script.status.runsInFlight -= 1
            if state.stopping {
                state.scripts[name] = script
                return
            }
            script.finished[sequence] = Report(
                script: name, sequence: sequence, succeeded: succeeded, startedAt: startedAt,
                finishedAt: finishedAt, detail: detail, state: script.verdict.status, transition: nil)
            // Deliver in start order even when overlapping runs finish out of order.
            while var report = script.finished.removeValue(forKey: script.nextToDeliver) {
                script.nextToDeliver += 1
                guard report.isResult else {
                    // The daemon's own trouble, not the service's: counted, verdict untouched.
                    if case .notStarted(let why) = report.detail { script.status.lastSpawnFailure = why }
                    script.status.spawnFailures += 1
                    continuation.yield(report)
                    continue
                }
                let changed = script.verdict.record(success: report.succeeded)
                report.state = script.verdict.status
                report.transition = changed ? script.verdict.status : nil
                script.status.state = script.verdict.status
                script.status.consecutiveSuccesses = script.verdict.consecutiveSuccesses
                script.status.consecutiveFailures = script.verdict.consecutiveFailures
                script.status.runsCompleted += 1
                if case .process(let outcome) = report.detail {
                    script.status.lastDuration = outcome.duration
                    script.status.strayProcessesKilled += outcome.strayProcessesKilled
                    if outcome.timedOut { script.status.timeouts += 1 }
                    if !outcome.succeeded { script.status.lastStderrTail = outcome.stderrTail }
                } else if case .tcpConnect(let result) = report.detail {
                    if case .connected(let d) = result { script.status.lastDuration = d }
                    if case .timedOut = result { script.status.timeouts += 1 }
                }
                if !report.succeeded {
                    script.status.failures += 1
                    script.status.lastFailure = report.summary
                }
                continuation.yield(report)
            }
            state.scripts[name] = script
        }
    }
}
