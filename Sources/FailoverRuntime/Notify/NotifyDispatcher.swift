import Logging
import Synchronization

/// Delivers notify scripts and FIFO lines, ordered and serialized per instance
/// (per sync group for `GROUP` notifications).
///
/// ```
///  enqueue(A MASTER) ─┐  queue "INSTANCE A": [MASTER] → [BACKUP] → [MASTER]
///  enqueue(A BACKUP) ─┤     each change: notify_<state> ─▶ notify ─▶ FIFO line
///  enqueue(A MASTER) ─┘     next change starts only after the previous finished/timed out
///  enqueue(B FAULT)  ───  queue "INSTANCE B": runs concurrently with A's
/// ```
/// `enqueue` never waits: the state machine, VIP moves and adverts are never held
/// up by a script. A slow script delays only later notifications of the same
/// instance, by at most its timeout + kill grace (the launcher's contract).
/// keepalived runs these asynchronously without waiting, so consumers can see BACKUP
/// after MASTER out of order (keepalived #996, #1055, #1835); here they cannot.
///
/// Each queue is bounded: behind the change being delivered at most `pendingLimit`
/// changes wait. When one more arrives (a flapping peer against a slow script), the
/// oldest waiting change is dropped and counted (`Statistics.dropped`): order is
/// kept, the newest state is always delivered, and the scripts see a subsequence
/// of the transitions that ends in the current state.
public final class NotifyDispatcher: Sendable {
    /// Timeouts for notify scripts.
    public struct Configuration: Sendable, Hashable {
        /// Budget of each notify script during normal operation.
        public var timeout: Duration
        /// Budget of each script once shutdown began (keepalived gives STOP scripts 1 s).
        public var stopTimeout: Duration
        /// Changes that may wait per instance behind the one being delivered.
        public var pendingLimit: Int
        /// Pauses before starting a script again that the daemon could not start for
        /// lack of its own resources (one retry per entry; none once shutdown began).
        public var resourceRetryDelays: [Duration]
        /// Changes delivered at once, all instances together; the others wait their
        /// turn in arrival order. 255 instances starting together ran 510 scripts at
        /// once, and the daemon's peak memory carried all of them.
        public var concurrentDeliveries: Int

        public init(timeout: Duration = .seconds(10), stopTimeout: Duration = .seconds(1), pendingLimit: Int = 16,
                    resourceRetryDelays: [Duration] = [.milliseconds(100), .milliseconds(400), .seconds(1)],
                    concurrentDeliveries: Int = 8) {
            self.concurrentDeliveries = max(1, concurrentDeliveries)
            self.timeout = timeout
            self.stopTimeout = stopTimeout
            self.pendingLimit = max(1, pendingLimit)
            self.resourceRetryDelays = resourceRetryDelays
        }
    }

    /// Delivery counters for status/metrics.
    public struct Statistics: Sendable, Hashable {
        public var enqueued = 0
        public var completed = 0
        public var scriptFailures = 0
        public var scriptTimeouts = 0
        public var refused = 0
        public var fifoLinesDropped = 0
        /// Changes dropped from a full queue (an older waiting change made way for a newer one).
        public var dropped = 0
        /// Script starts that failed for lack of the daemon's own resources (each retry counts).
        public var spawnFailures = 0
        /// Notifications waiting or running right now.
        public var outstanding: Int { enqueued - completed - dropped }
    }

    private struct Item: Sendable {
        var notification: NotifyEvent
        var spec: NotifySpec
    }

    private struct Queue {
        var pending: [Item] = []
        /// In `ready` or being delivered: at most one delivery per instance at a time.
        var scheduled = false
    }

    private struct State {
        var queues: [String: Queue] = [:]
        /// Instances with a change to deliver and none being delivered, in the order
        /// they became so: the workers take them from the front.
        var ready: [String] = []
        /// Worker tasks running (at most `concurrentDeliveries`).
        var workers = 0
        var statistics = Statistics()
        var shuttingDown = false
        var drainWaiters: [CheckedContinuation<Void, Never>] = []
        var fifos: [String: any NotifyFIFOWriter] = [:]
    }

    private let preparerBox: Mutex<ScriptPreparer>
    private var preparer: ScriptPreparer { preparerBox.withLock { $0 } }
    private let launcher: any ProcessLauncher
    private let openFIFO: @Sendable (String) -> (any NotifyFIFOWriter)?
    private let configuration: Configuration
    private let logger: Logger
    private let state = Mutex(State())
    /// Where the engine records transitions (through `NotifyQueue`) and this
    /// dispatcher what each of their notify calls did.
    public let transitionHistory: TransitionHistory?

    /// - Parameter openFIFO: opens (creating if missing) a `notify_fifo`; called once per path.
    public init(
        preparer: ScriptPreparer, launcher: any ProcessLauncher,
        openFIFO: @escaping @Sendable (String) -> (any NotifyFIFOWriter)?,
        configuration: Configuration = Configuration(),
        logger: Logger = Logger(label: "ipfailover.notify", factory: { _ in SwiftLogNoOpLogHandler() }),
        history: TransitionHistory? = nil
    ) {
        self.logger = logger
        transitionHistory = history
        preparerBox = Mutex(preparer)
        self.launcher = launcher
        self.openFIFO = openFIFO
        self.configuration = configuration
    }

    /// Queues the scripts and FIFO line for one state change. Returns at once.
    public func enqueue(_ notification: NotifyEvent, spec: NotifySpec) {
        let key = notification.scope.rawValue + " " + notification.name
        let limit = configuration.pendingLimit
        let (startWorker, dropped) = state.withLock { state -> (Bool, NotifyEvent?) in
            state.statistics.enqueued += 1
            var queue = state.queues[key, default: Queue()]
            var dropped: NotifyEvent?
            if queue.pending.count >= limit {
                dropped = queue.pending.removeFirst().notification
                state.statistics.dropped += 1
            }
            queue.pending.append(Item(notification: notification, spec: spec))
            if !queue.scheduled {
                queue.scheduled = true
                state.ready.append(key)
            }
            state.queues[key] = queue
            // A worker per delivery that may run now, not per instance: 255 instances
            // changing state together start 8 tasks, not 255 waiting ones (each holds
            // its own task memory: 1.8 MB at start-up).
            guard state.workers < configuration.concurrentDeliveries, !state.ready.isEmpty else { return (false, dropped) }
            state.workers += 1
            return (true, dropped)
        }
        if let dropped {
            if let sequence = dropped.transition {
                transitionHistory?.notifyFinished(instance: dropped.name, sequence: sequence, call: NotifyCallRecord(
                    command: "-", result: "dropped: \(limit) newer changes waited behind it", succeeded: false))
            }
            logger.warning(
                "notify queue of \(key) is full (\(limit) waiting): \(dropped.state.rawValue) dropped, \(notification.state.rawValue) queued",
                metadata: ["vrrp.instance": "\(notification.name)"])
        }
        if startWorker {
            Task { [self] in await self.work() }
        }
    }

    /// From now on every script gets `stopTimeout` (use before enqueuing STOP at shutdown).
    public func beginShutdown() {
        state.withLock { $0.shuttingDown = true }
    }

    /// Waits until every queued notification has been delivered (or timed out).
    public func drain() async {
        await withCheckedContinuation { (waiter: CheckedContinuation<Void, Never>) in
            let done = state.withLock { state -> Bool in
                if state.statistics.outstanding == 0 { return true }
                state.drainWaiters.append(waiter)
                return false
            }
            if done { waiter.resume() }
        }
    }

    /// Shutdown in one call: short timeouts, the given STOP notifications, then drain.
    public func shutdown(stopping notifications: [(NotifyEvent, NotifySpec)]) async {
        beginShutdown()
        for (notification, spec) in notifications { enqueue(notification, spec: spec) }
        await drain()
    }

    public var statistics: Statistics { state.withLock { $0.statistics } }

    /// Worker tasks running now.
    var workerCount: Int { state.withLock { $0.workers } }

    /// Load-time check of a spec: every problem its scripts would hit.
    public func problems(in spec: NotifySpec) -> [ScriptError] {
        var problems: [ScriptError] = []
        let lines = [spec.master, spec.backup, spec.fault, spec.stop, spec.generic].compactMap { $0 }
        for line in lines {
            if case .refused(let error) = preparer.resolve(
                commandLine: line, user: spec.user, timeout: configuration.timeout, warnings: &problems) {
                problems.append(error)
            }
        }
        return problems
    }

    /// One worker: delivers the next change of the instance at the front of `ready`,
    /// puts that instance back at the end if more of its changes wait, and goes on
    /// until nothing is ready. Instances take turns in arrival order; one instance's
    /// changes are delivered one at a time, in order.
    private func work() async {
        var finished: String?
        while let (key, item) = next(after: finished) {
            await deliver(item)
            finished = key
            let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
                state.statistics.completed += 1
                guard state.statistics.outstanding == 0 else { return [] }
                defer { state.drainWaiters = [] }
                return state.drainWaiters
            }
            for waiter in waiters { waiter.resume() }
        }
    }

    /// Reschedules `finished` (the instance whose change this worker just delivered)
    /// and takes the next ready change; nil ends the worker.
    private func next(after finished: String?) -> (String, Item)? {
        state.withLock { state in
            if let finished, var queue = state.queues[finished] {
                if queue.pending.isEmpty {
                    state.queues[finished] = nil
                } else {
                    state.ready.append(finished)
                    queue.scheduled = true
                    state.queues[finished] = queue
                }
            }
            guard !state.ready.isEmpty else {
                state.workers -= 1
                return nil
            }
            let key = state.ready.removeFirst()
            let item = state.queues[key]!.pending.removeFirst()
            return (key, item)
        }
    }

    private func deliver(_ item: Item) async {
        let notification = item.notification
        let timeout = state.withLock { $0.shuttingDown } ? configuration.stopTimeout : configuration.timeout
        let commands: [ScriptCommand]
        do {
            commands = try item.spec.commands(for: notification)
        } catch {
            record(.refused(error), notification)
            commands = []
        }
        for command in commands {
            var warnings: [ScriptError] = []
            switch preparer.resolve(command: command, user: item.spec.user, timeout: timeout, warnings: &warnings) {
            case .refused(let error):
                record(.refused(error), notification)
            case .launch(let request):
                let outcome = await launch(request, for: notification)
                record(.script(arguments: request.arguments, outcome: outcome), notification)
            }
        }
        if let path = item.spec.fifoPath {
            let line = notification.fifoLine
            let writer = state.withLock { state -> (any NotifyFIFOWriter)? in
                if let existing = state.fifos[path] { return existing }
                let opened = openFIFO(path)
                state.fifos[path] = opened
                return opened
            }
            let written = writer?.write(line: line) ?? false
            record(.fifo(path: path, line: line, written: written), notification)
        }
    }

    /// Launches one script; a start the daemon's own resources prevented is retried
    /// after each of `resourceRetryDelays` (not once shutdown began).
    private func launch(_ request: LaunchRequest, for notification: NotifyEvent) async -> LaunchOutcome {
        var outcome = await launcher.launch(request)
        var delays = configuration.resourceRetryDelays[...]
        while case .resourceExhausted(let why) = outcome.termination {
            state.withLock { $0.statistics.spawnFailures += 1 }
            let shuttingDown = state.withLock { $0.shuttingDown }
            guard let delay = delays.popFirst(), !shuttingDown else { break }
            logger.error("notify \(request.arguments.joined(separator: " ")) not started, the daemon lacks resources (\(why)); retrying in \(delay)",
                         metadata: ["vrrp.instance": "\(notification.name)"])
            try? await Task.sleep(for: delay)
            outcome = await launcher.launch(request)
        }
        return outcome
    }

    private func record(_ action: NotifyDelivery.Action, _ notification: NotifyEvent) {
        state.withLock { state in
            switch action {
            case .refused: state.statistics.refused += 1
            case .script(_, let outcome):
                if outcome.timedOut { state.statistics.scriptTimeouts += 1 }
                if !outcome.succeeded { state.statistics.scriptFailures += 1 }
            case .fifo(_, _, let written):
                if !written { state.statistics.fifoLinesDropped += 1 }
            }
        }
        log(action, notification)
        if let sequence = notification.transition {
            transitionHistory?.notifyFinished(instance: notification.name, sequence: sequence, call: NotifyCallRecord(action))
        }
    }

    private func log(_ action: NotifyDelivery.Action, _ notification: NotifyEvent) {
        let metadata: Logger.Metadata = ["vrrp.instance": "\(notification.name)"]
        switch action {
        case .refused(let error):
            logger.error("notify for \(notification.name) \(notification.state.rawValue) not run: \(error)", metadata: metadata)
        case .script(let arguments, let outcome):
            let command = arguments.joined(separator: " ")
            ScriptOutputLog.log(outcome, of: "notify \(arguments.first ?? "")", failed: !outcome.succeeded, isCheck: false,
                                metadata: metadata, to: logger)
            if outcome.isResourceExhaustion {
                logger.error("notify \(command) not run: the daemon lacks resources (\(outcome.termination))", metadata: metadata)
            } else if !outcome.succeeded {
                logger.warning("notify \(command) failed: \(outcome.termination)\(outcome.timedOut ? " (timed out)" : "")", metadata: metadata)
            }
        case .fifo(let path, let line, let written):
            if !written { logger.warning("notify_fifo \(path): line dropped (pipe full or unavailable): \(line)", metadata: metadata) }
        }
    }
}

extension NotifyDispatcher {
    /// Reload: notify scripts started from now on are resolved and vetted by `preparer`.
    public func replacePreparer(_ preparer: ScriptPreparer) {
        preparerBox.withLock { $0 = preparer }
    }
}
