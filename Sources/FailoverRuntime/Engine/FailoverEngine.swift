import Logging
import VRRPCore
import VRRPWire

/// Drives every virtual router of the node: turns packets, deadlines, check
/// results and link events into state-machine calls, and hands the returned
/// actions, in order, to one executor.
///
/// ```
///  packets ──▶ PacketIntake ─┐
///  deadline ── DeadlineQueue ┼─▶ UnitTable: VirtualRouter / SyncGroup (pure)
///  checks  ──────────────────┤           │ actions, in order
///  links   ──────────────────┘           ▼
///                               ActionExecutor ─▶ sender, addresses, announcer, notify
/// ```
/// Ports are synchronous, so an event is handled without suspending: no other
/// event can interleave with the execution of its actions. In the daemon the
/// engine runs on an `EngineAlarm` that is also its executor and its receive loop (the
/// `EngineThread`): the sockets are read, the packets handled and the expired timers
/// acted on in the thread's own wake-up, with no hand-off between threads. In tests
/// the actor runs on a serial queue and a task sleeping on the engine's clock is the
/// timer. A packet counts from when the kernel received it (its `SO_TIMESTAMPNS`
/// stamp, through a `WallClock`), not from when it was handled.
///
/// Cost per event is independent of the number of instances: a packet's unit is one
/// lookup (`UnitTable`), each unit's next deadline sits in a heap (`DeadlineQueue`:
/// a deadline moved later, as every advert a backup receives moves one, is recorded in
/// O(1); one moved earlier costs O(log n)), a check result visits only the units that
/// track the script, and routers are mutated in place.
public actor FailoverEngine<C: Clock> where C.Duration == Duration {
    let clock: C
    let origin: C.Instant
    let executor: ActionExecutor
    let logger: Logger

    var plan: RuntimePlan
    var table: UnitTable
    /// Each unit's next deadline.
    var timers: DeadlineQueue
    var intake = PacketIntake()
    /// Adverts of the event being handled, sent together before any other action
    /// and when the event ends (`sendStagedAdverts`): one `sendmmsg` per tick.
    var outbox = AdvertOutbox()
    var counters = RuntimeCounters()
    var started = false
    var rehearsed = false
    var stopped = false
    var timer: Task<Void, Never>?
    var armedDeadline: VRRPInstant?
    var rejectionLog = RateLimitedLog(interval: .seconds(10))
    /// Links last reported down (or removed): a reload replays them into the
    /// instances it starts, whose interface trackers begin up.
    var downLinks: Set<String> = []
    /// Per instance, split-brain and VRID-collision episodes (`FailoverEngine+Conflicts`).
    var splitBrains: [String: ConflictEpisodes] = [:]
    var vridCollisions: [String: ConflictEpisodes] = [:]
    /// Episodes going on, all instances together: nothing to expire while zero.
    var activeConflicts = 0
    /// Places a packet's kernel receive timestamp on `clock`; nil: packets count as
    /// received when handled.
    let wallClock: (any WallClock)?
    /// Wakes `timerFired` at the earliest deadline; nil: a task sleeping on `clock`.
    let alarm: (any EngineAlarm)?
    /// Where the actor's jobs run: the alarm's thread, or a serial queue.
    nonisolated let serialExecutor: any SerialExecutor

    public nonisolated var unownedExecutor: UnownedSerialExecutor {
        serialExecutor.asUnownedSerialExecutor()
    }

    /// The oldest a kernel receive timestamp may make a packet. Receive lag is under a
    /// millisecond plus the receive coalescing (`RuntimePlan.receiveCoalescing`, at most
    /// 10 ms); anything older comes from a wall-clock step (or an engine that was
    /// blocked), and counting it in full could fire a down timer early.
    static var maximumPacketAge: Duration { .milliseconds(25) }

    /// `alarm` needs `C` to be `ContinuousClock` (it is ignored otherwise).
    /// `addressChanges` nil: a background queue when there is an alarm (the daemon, on
    /// real time), changes run inline otherwise (tests driving a manual clock, which
    /// assert one ordered log of port calls).
    public init(plan: RuntimePlan, ports: EnginePorts, clock: C, logger: Logger,
                wallClock: (any WallClock)? = nil, alarm: (any EngineAlarm)? = nil,
                addressChanges: AddressChangeQueue? = nil) {
        self.clock = clock
        origin = clock.now
        self.wallClock = wallClock
        let alarm = origin is ContinuousClock.Instant ? alarm : nil
        self.alarm = alarm
        serialExecutor = alarm ?? SerialQueueExecutor()
        self.plan = plan
        self.logger = logger
        executor = ActionExecutor(ports: ports, logger: logger,
                                  addressChanges: addressChanges ?? AddressChangeQueue(alarm == nil ? .inline : .background))
        table = UnitTable(plan: plan, logger: logger)
        timers = DeadlineQueue(count: table.units.count)
        for i in table.units.indices { timers.set(i, table.units[i].nextDeadline) }
    }

    /// Applies `event` to unit `i` in place, executes its actions and updates the
    /// unit's deadline. `checkDetail`: the check run that caused the event (exit
    /// status, duration, stderr tail), for the transitions it causes.
    func run(_ i: Int, checkDetail: String? = nil, _ event: (inout DrivenUnit) -> [TaggedAction]) {
        settle(i, event(&table.units[i]), checkDetail: checkDetail)
    }

    /// After an event changed unit `i`: its deadline updated, then its actions executed.
    func settle(_ i: Int, _ actions: [TaggedAction], checkDetail: String? = nil) {
        timers.set(i, table.units[i].nextDeadline)
        if !actions.isEmpty { execute(actions, checkDetail: checkDetail) }
    }

    /// The engine's time base: the core only sees offsets from `origin`.
    var now: VRRPInstant { VRRPInstant(offset: origin.duration(to: clock.now)) }

    // MARK: - Events

    /// Starts every instance (BACKUP or FAULT first, as keepalived does).
    public func start() {
        guard !started else { return }
        started = true
        defer { sendStagedAdverts() }
        // Runs on the alarm's thread, which is this actor's executor, between jobs.
        alarm?.onAlarm { [weak self] in self?.assumeIsolated { $0.timerFired() } }
        rehearseTakeover()
        let now = now
        for i in table.units.indices { run(i) { $0.start(now: now) } }
        rearm()
    }

    /// Runs every instance's takeover path once, without effect (`TakeoverRehearsal`),
    /// on the engine's executor — the thread that will run the takeover.
    func rehearseTakeover() {
        guard !rehearsed else { return }
        rehearsed = true
        TakeoverRehearsal(ports: executor.ports, addressChanges: executor.addressChanges).run(Array(table.contexts.values))
    }

    /// VRRP packets from the receive sockets, in arrival order (the daemon hands over
    /// each socket's read of one wake-up), and the count of datagrams the socket could
    /// not make packets of (counted as `malformed_packets`).
    public func receive(_ packets: [InboundPacket], malformed: Int = 0) {
        for _ in 0..<malformed { counters.record("malformed_packets", instance: nil) }
        guard started, !stopped, !packets.isEmpty else { return }
        defer { sendStagedAdverts() }
        let now = now, wallNow = wallClock?.now()
        for inbound in packets { handle(inbound, now: received(inbound, now: now, wallNow: wallNow)) }
        expireConflicts(now: now)
        rearm()
    }

    /// One VRRP packet.
    public func receive(_ inbound: InboundPacket) {
        receive([inbound])
    }

    /// When `inbound` arrived, on the engine's clock: its kernel timestamp, at most
    /// `maximumPacketAge` before `now`; `now` without a timestamp or wall clock.
    func received(_ inbound: InboundPacket, now: VRRPInstant, wallNow: WallClockTime?) -> VRRPInstant {
        guard let stamp = inbound.receivedAt, let wallNow else { return now }
        let age = min(max(stamp.duration(to: wallNow), .zero), Self.maximumPacketAge)
        return VRRPInstant(offset: max(now.offset - age, .zero))
    }

    private func handle(_ inbound: InboundPacket, now: VRRPInstant) {
        switch table.deliver(inbound, through: &intake, now: now) {
        case .failure(let rejected):
            counters.record(rejected.counter, instance: rejected.instance)
            logRejection(rejected.message, instance: rejected.instance)
        case .success(let delivered):
            settle(delivered.unit, delivered.actions)
        }
    }

    /// One check-script run finished (raw result; the core applies rise/fall).
    /// Before `start()` it only records the result, so the first state already
    /// reflects it. Only the units that track the script are visited.
    /// `detail` (exit status, duration, stderr tail) goes into the log line of a
    /// transition the result causes.
    public func checkResult(script: String, succeeded: Bool, detail: String? = nil) {
        guard !stopped else { return }
        defer { sendStagedAdverts() }
        let now = now
        for i in table.trackingUnits[script] ?? [] {
            run(i, checkDetail: detail) { $0.checkResult(script: script, succeeded: succeeded, now: now) }
        }
        rearm()
    }

    /// A link went up or down (tracked interfaces and each instance's own interface).
    /// Before `start()` it only records the link state (interfaces start up).
    public func interfaceChanged(name: String, up: Bool) {
        guard !stopped else { return }
        defer { sendStagedAdverts() }
        if up { downLinks.remove(name) } else { downLinks.insert(name) }
        let now = now
        for i in table.units.indices { run(i) { $0.interfaceChanged(name: name, up: up, now: now) } }
        rearm()
    }

    /// Orderly stop: masters send priority 0 and remove their VIPs; STOP notifies.
    /// Returns once every address change is done, so a process that exits next leaves
    /// no VIP behind.
    public func shutdown() async {
        guard !stopped else { return }
        stopped = true
        timer?.cancel()
        timer = nil
        alarm?.set(nil)
        let now = now
        for i in table.units.indices { run(i) { $0.shutdown(now: now) } }
        sendStagedAdverts()
        await executor.addressChanges.settle()
    }

    /// Returns once every address change submitted so far is done.
    public func addressChangesSettled() async {
        await executor.addressChanges.settle()
    }

    func timerFired() {
        guard started, !stopped else { return }
        defer { sendStagedAdverts() }
        timer = nil
        armedDeadline = nil
        let now = now
        for i in timers.due(at: now) { run(i) { $0.deadlineReached(now: now) } }
        expireConflicts(now: now)
        rearm()
    }

    // MARK: - Timer

    /// Keeps the alarm (or one sleeping task) aimed at or before the earliest
    /// deadline. One already armed for an earlier time is left alone (it wakes, finds
    /// nothing due and re-arms), so the steady state costs one setting per wake-up,
    /// not one per event.
    func rearm() {
        guard !stopped else { return }
        guard let next = timers.nextWakeUp() else {
            timer?.cancel()
            timer = nil
            alarm?.set(nil)
            armedDeadline = nil
            return
        }
        if let alarm, let origin = origin as? ContinuousClock.Instant {
            // The alarm calls `timerFired` straight from its own thread's wake-up.
            if let armed = armedDeadline, armed <= next { return }
            armedDeadline = next
            alarm.set(origin.advanced(by: next.offset))
            return
        }
        if timer != nil, let armed = armedDeadline, armed <= next { return }
        timer?.cancel()
        armedDeadline = next
        let wake = origin.advanced(by: next.offset)
        let clock = clock
        timer = Task { [weak self] in
            do { try await clock.sleep(until: wake, tolerance: nil) } catch { return }
            await self?.timerFired()
        }
    }

    // MARK: - Execution

    func execute(_ actions: [TaggedAction], checkDetail: String? = nil) {
        var index = actions.startIndex
        while index < actions.endIndex {
            let tagged = actions[index]
            index += 1
            if case .peerConflict(let conflict) = tagged.action, let instance = tagged.instance {
                recordConflict(conflict, instance: instance, now: now)
                continue
            }
            let context = tagged.instance.flatMap { table.contexts[$0] }
            if case .sendAdvertisement(let advert) = tagged.action {
                if let context { executor.stage(advert, context: context, in: &outbox) }
                continue
            }
            // Whatever follows an advert (an address change, its announcement, a
            // notify) happens after the advert is on the wire.
            sendStagedAdverts()
            // A takeover's VIPs and their announcement go together: each part of a
            // large group is announced as soon as the kernel has it (ActionExecutor).
            if let context, case .addVirtualAddresses(let added) = tagged.action, index < actions.endIndex,
               actions[index].instance == tagged.instance,
               case .announce(let announced, let schedule) = actions[index].action, announced == added {
                executor.addAndAnnounce(added, schedule: schedule, context: context)
                index += 1
                continue
            }
            let group = tagged.instance == nil ? groupNotify(for: tagged) : nil
            var detail: String?
            if case .notify(let n) = tagged.action, case .scriptFailed = n.reason { detail = checkDetail }
            executor.execute(tagged.action, context: context, groupNotify: group, detail: detail)
        }
    }

    func sendStagedAdverts() {
        executor.send(&outbox)
    }

    private func groupNotify(for tagged: TaggedAction) -> NotifySpec? {
        guard case .notify(let n) = tagged.action else { return nil }
        return plan.syncGroups.first { $0.name == n.name }?.notify
    }

    func logRejection(_ message: String, instance: String?) {
        let key = instance ?? "-"
        guard let suppressed = rejectionLog.admit(key: key, at: clock.now, origin: origin) else { return }
        var meta: Logger.Metadata = [:]
        if let instance { meta["vrrp.instance"] = "\(instance)" }
        if suppressed > 0 { meta["suppressed"] = "\(suppressed)" }
        logger.warning("\(message)", metadata: meta)
    }
}

/// The ports the engine's executor uses.
public struct EnginePorts: Sendable {
    public var sender: any AdvertisementSender
    public var addresses: any VirtualAddressManager
    public var announcer: any NeighborAnnouncing
    public var notifier: any NotifyQueue

    public init(sender: any AdvertisementSender, addresses: any VirtualAddressManager,
                announcer: any NeighborAnnouncing, notifier: any NotifyQueue) {
        self.sender = sender
        self.addresses = addresses
        self.announcer = announcer
        self.notifier = notifier
    }
}
