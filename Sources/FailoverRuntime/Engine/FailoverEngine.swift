import Logging
import VRRPCore
import VRRPWire

/// Drives every virtual router of the node: turns packets, deadlines, check
/// results and link events into state-machine calls, and hands the returned
/// actions, in order, to one executor.
///
/// ```
///  packets ──┐
///  deadline ─┼─▶ FailoverEngine (actor) ─▶ VirtualRouter / SyncGroup (pure)
///  checks  ──┤                              │ actions, in order
///  links   ──┘                              ▼
///                               ActionExecutor ─▶ sender, addresses, announcer, notify
/// ```
/// Ports are synchronous, so an event is handled without suspending: no other
/// event can interleave with the execution of its actions. One timer wakes the engine
/// at the earliest deadline of any unit: in the daemon an `EngineAlarm` — a thread on a
/// timerfd that is also this actor's executor and calls `timerFired` in its own
/// wake-up — in tests a task sleeping on the engine's clock (the actor then runs on
/// a serial queue). A packet counts from when the kernel received it (its
/// `SO_TIMESTAMPNS` stamp, through a `WallClock`), not from when it was handled.
///
/// Cost per event is independent of the number of instances: each unit's next
/// deadline is cached in `deadlines` (refreshed after every event on that unit),
/// instance settings are looked up by name in `contexts`, and routers are mutated
/// in place. Received packets wait in a `PacketInbox` that the engine drains on its
/// doorbell and before acting on any timer.
public actor FailoverEngine<C: Clock> where C.Duration == Duration {
    let clock: C
    let origin: C.Instant
    let executor: ActionExecutor
    let logger: Logger

    var plan: RuntimePlan
    var units: [DrivenUnit] = []
    /// `units[i].nextDeadline`, kept current after every event on unit i.
    var deadlines: [VRRPInstant?] = []
    /// Instance name → settings and logger, built once per plan.
    var contexts: [String: InstanceContext] = [:]
    /// Instance name → index into `units`.
    var unitOfInstance: [String: Int] = [:]
    /// (interface, family, VRID) → instance name, for routing received packets.
    var instanceForPacket: [PacketKey: String] = [:]
    var counters = RuntimeCounters()
    var started = false
    var rehearsed = false
    var stopped = false
    var timer: Task<Void, Never>?
    var armedDeadline: VRRPInstant?
    /// Per unit, whether `deadlines[i]` is a backup's Master_Down_Timer, and the
    /// takeover deadline the unit's last warm-up ran for (`warmUpDueTakeovers`). Plain
    /// arrays beside `deadlines`: `rearm` reads them for every unit on every event.
    var deadlineIsTakeover: [Bool] = []
    var warmedFor: [VRRPInstant?] = []
    var rejectionLog = RateLimitedLog(interval: .seconds(10))
    /// Where the receive side leaves packets; drained before every timer decision.
    var inbox: PacketInbox?
    /// The latest run detail of each check script, for transition log lines.
    var checkDetails: [String: String] = [:]
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

    /// The oldest a kernel receive timestamp may make a packet. Receive lag is well
    /// under a millisecond; anything older comes from a wall-clock step (or an engine
    /// that was blocked), and counting it in full could fire a down timer early.
    static var maximumPacketAge: Duration { .milliseconds(10) }

    struct PacketKey: Hashable {
        var interface: String
        var family: AddressFamily
        var vrid: VirtualRouterID
    }

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
        (units, unitOfInstance, instanceForPacket) = Self.buildUnits(plan)
        deadlines = units.map(\.nextDeadline)  // as resetDeadlines(), which init cannot call
        deadlineIsTakeover = units.map(\.nextDeadlineIsTakeover)
        warmedFor = Array(repeating: nil, count: units.count)
        contexts = Self.buildContexts(plan, logger: logger)
    }

    static func buildContexts(_ plan: RuntimePlan, logger: Logger) -> [String: InstanceContext] {
        Dictionary(plan.instances.map { ($0.name, InstanceContext(instance: $0, logger: logger)) },
                   uniquingKeysWith: { first, _ in first })
    }

    /// Applies `event` to unit `i` in place, executes its actions and refreshes the
    /// unit's cached deadline.
    func run(_ i: Int, _ event: (inout DrivenUnit) -> [SyncGroupAction]) {
        let actions = event(&units[i])
        deadlines[i] = units[i].nextDeadline
        deadlineIsTakeover[i] = units[i].nextDeadlineIsTakeover
        if !actions.isEmpty { execute(actions) }
    }

    /// The engine's time base: the core only sees offsets from `origin`.
    var now: VRRPInstant { VRRPInstant(offset: origin.duration(to: clock.now)) }

    static func buildUnits(_ plan: RuntimePlan) -> ([DrivenUnit], [String: Int], [PacketKey: String]) {
        var units: [DrivenUnit] = []
        var index: [String: Int] = [:]
        var packets: [PacketKey: String] = [:]
        var grouped = Set<String>()
        for group in plan.syncGroups {
            let members = group.members.compactMap { plan.instance(named: $0) }.map { VirtualRouter(configuration: $0.router) }
            guard !members.isEmpty else { continue }
            for m in members { index[m.name] = units.count; grouped.insert(m.name) }
            units.append(.group(SyncGroup(name: group.name, members: members)))
        }
        for instance in plan.instances where !grouped.contains(instance.name) {
            index[instance.name] = units.count
            units.append(.instance(VirtualRouter(configuration: instance.router)))
        }
        for instance in plan.instances {
            packets[PacketKey(interface: instance.interface, family: instance.router.family,
                              vrid: instance.router.virtualRouterID)] = instance.name
        }
        return (units, index, packets)
    }

    // MARK: - Events

    /// Starts every instance (BACKUP or FAULT first, as keepalived does).
    public func start() {
        guard !started else { return }
        started = true
        // Runs on the alarm's thread, which is this actor's executor, between jobs.
        alarm?.onAlarm { [weak self] in self?.assumeIsolated { $0.timerFired() } }
        rehearseTakeover()
        let now = now
        for i in units.indices { run(i) { $0.start(now: now) } }
        rearm()
    }

    /// Runs every instance's takeover path once, without effect (`TakeoverRehearsal`),
    /// on the engine's executor — the thread that will run the takeover, so its stack
    /// and allocator arena are warm too.
    func rehearseTakeover() {
        guard !rehearsed else { return }
        rehearsed = true
        TakeoverRehearsal(ports: executor.ports, addressChanges: executor.addressChanges).run(Array(contexts.values))
    }

    /// A VRRP packet from a receive socket.
    public func receive(_ inbound: InboundPacket) {
        guard started, !stopped else { return }
        let now = now
        handle(inbound, now: received(inbound, now: now, wallNow: wallClock?.now()))
        expireConflicts(now: now)
        rearm()
    }

    /// When `inbound` arrived, on the engine's clock: its kernel timestamp, at most
    /// `maximumPacketAge` before `now`; `now` without a timestamp or wall clock.
    func received(_ inbound: InboundPacket, now: VRRPInstant, wallNow: WallClockTime?) -> VRRPInstant {
        guard let stamp = inbound.receivedAt, let wallNow else { return now }
        let age = min(max(stamp.duration(to: wallNow), .zero), Self.maximumPacketAge)
        return VRRPInstant(offset: max(now.offset - age, .zero))
    }

    /// Takes packets from `inbox` from now on (the daemon's receive path).
    public func attach(inbox: PacketInbox) { self.inbox = inbox }

    /// The doorbell of the inbox rang: handle everything waiting.
    public func drainInbox() {
        guard let inbox else { return }
        let batch = inbox.take()
        guard started, !stopped, !batch.isEmpty else { return }
        let now = now, wallNow = wallClock?.now()
        for inbound in batch { handle(inbound, now: received(inbound, now: now, wallNow: wallNow)) }
        expireConflicts(now: now)
        rearm()
    }

    private func handle(_ inbound: InboundPacket, now: VRRPInstant) {
        let packet = inbound.packet
        // Longer than any advert (255 IPv6 addresses are 4,088 bytes): a bad length,
        // counted with the packets whose length disagrees with their address count.
        guard !inbound.isTruncated else {
            counters.record("packet_len_err", instance: nil)
            logRejection("dropped packet from \(packet.source) on \(inbound.interface): longer than the receive buffer",
                         instance: nil)
            return
        }
        let advert: Advertisement
        // RFC 5798 §7.1 TTL 255 proves a multicast advert is on-link. Unicast peers
        // may be routed, and keepalived 2.2.7 neither sends 255 over IPv6 unicast
        // nor checks it (keepalived #941): for unicast the peer list is the check.
        let decoded = packet.destination.isMulticastGroup
            ? packet.decode()
            : Result { () throws(AdvertisementRejection) in
                try Advertisement.decode(message: packet.payload, source: packet.source, destination: packet.destination)
            }
        switch decoded {
        case .failure(let rejection):
            reject(rejection, instance: nil, inbound: inbound)
            return
        case .success(let value):
            advert = value
        }
        let key = PacketKey(interface: inbound.interface, family: packet.source.family, vrid: advert.virtualRouterID)
        guard let name = instanceForPacket[key], let context = contexts[name], let u = unitOfInstance[name] else {
            reject(.virtualRouterIDNotConfigured(received: advert.virtualRouterID.rawValue), instance: nil, inbound: inbound)
            return
        }
        if !context.instance.unicastPeers.isEmpty, !context.instance.unicastPeers.contains(packet.source) {
            counters.record("unicast_peer_err", instance: name)
            logRejection("advert from \(packet.source), which is not a unicast_peer", instance: name)
            return
        }
        run(u) { $0.advertisementReceived(advert, from: packet.source, instance: name, now: now) }
    }

    /// One check-script run finished (raw result; the core applies rise/fall).
    /// Before `start()` it only records the result, so the first state already
    /// reflects it.
    /// `detail` (exit status, duration, stderr tail) goes into the log line of a
    /// transition the result causes.
    public func checkResult(script: String, succeeded: Bool, detail: String? = nil) {
        guard !stopped else { return }
        checkDetails[script] = detail
        let now = now
        for i in units.indices { run(i) { $0.checkResult(script: script, succeeded: succeeded, now: now) } }
        rearm()
    }

    /// A link went up or down (tracked interfaces and each instance's own interface).
    /// Before `start()` it only records the link state (interfaces start up).
    public func interfaceChanged(name: String, up: Bool) {
        guard !stopped else { return }
        if up { downLinks.remove(name) } else { downLinks.insert(name) }
        let now = now
        for i in units.indices { run(i) { $0.interfaceChanged(name: name, up: up, now: now) } }
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
        for i in units.indices { run(i) { $0.shutdown(now: now) } }
        await executor.addressChanges.settle()
    }

    /// Returns once every address change submitted so far is done.
    public func addressChangesSettled() async {
        await executor.addressChanges.settle()
    }

    func timerFired() {
        guard started, !stopped else { return }
        timer = nil
        armedDeadline = nil
        let now = now
        // Adverts that arrived before this wake-up count before any timer expires.
        if let inbox {
            let wallNow = wallClock?.now()
            for inbound in inbox.take() { handle(inbound, now: received(inbound, now: now, wallNow: wallNow)) }
        }
        for i in deadlines.indices {
            if let d = deadlines[i], d <= now { run(i) { $0.deadlineReached(now: now) } }
        }
        warmUpDueTakeovers(now: now)
        expireConflicts(now: now)
        rearm()
    }

    // MARK: - Warming the takeover path

    /// How long before a backup's Master_Down_Timer expires the engine warms the
    /// takeover path. A backup's timer only gets this close when adverts have stopped
    /// for about three intervals or its master released with priority 0: in the steady
    /// state it never does, and this costs nothing.
    ///
    /// Measured on a link-down takeover in the lab (docs/daemon.md, "Inside one node"):
    /// 29–40 µs from the timer's wake-up to the advert's `sendmsg` and 175–250 µs to
    /// the first gratuitous ARP without the warm-up; 10–21 µs and 120–210 µs with it.
    static var warmUpLead: Duration { .milliseconds(2) }

    /// When unit `i` should be warmed up for its takeover: `warmUpLead` before its
    /// next deadline, if that deadline is a backup's Master_Down_Timer it was not
    /// warmed for yet.
    func warmUpTime(_ i: Int) -> VRRPInstant? {
        guard deadlineIsTakeover[i], let deadline = deadlines[i], warmedFor[i] != deadline else { return nil }
        return VRRPInstant(offset: deadline.offset - Self.warmUpLead)
    }

    /// Every unit's deadline afresh (start, reload): none warmed up yet.
    func resetDeadlines() {
        deadlines = units.map(\.nextDeadline)
        deadlineIsTakeover = units.map(\.nextDeadlineIsTakeover)
        warmedFor = Array(repeating: nil, count: units.count)
    }

    /// Runs the takeover path without effect shortly before a takeover is due, so the
    /// takeover itself finds code and data in the CPU's caches. A backup's takeover
    /// comes after seconds of doing little (a received advert every interval), and
    /// its path — the core's transition, the advert's encoding, the netlink add, the
    /// gratuitous ARP — is cold by then (`warmUpLead` has the figures).
    ///
    /// The core's `deadlineReached` runs on a copy of the unit (discarded), then
    /// `TakeoverRehearsal` for the member due — the start-up rehearsal's path, with at
    /// most one netlink window of addresses, so a warm-up costs about as much as a
    /// small takeover (0.1–0.3 ms), well inside `warmUpLead`. At most one unit is
    /// warmed per wake-up (the code is shared; 255 instances whose master died at once
    /// must not run 255 rehearsals), and none whose deadline is nearer than half the
    /// lead: the warm-up must never delay a takeover.
    func warmUpDueTakeovers(now: VRRPInstant) {
        var warmed = false
        for i in deadlines.indices {
            guard let at = warmUpTime(i), at <= now, let deadline = deadlines[i],
                  let candidate = units[i].takeoverCandidate else { continue }
            warmedFor[i] = deadline
            guard !warmed, deadline - now > Self.warmUpLead / 2, let context = contexts[candidate.name] else { continue }
            warmed = true
            var copy = units[i]
            _ = copy.deadlineReached(now: deadline)
            TakeoverRehearsal(ports: executor.ports, addressChanges: executor.addressChanges).run([context], addressLimit: ActionExecutor.pipelinedGroupSize)
            counters.record("takeover_warm_ups", instance: candidate.name)
        }
    }

    // MARK: - Timer

    /// Keeps one sleeping task, aimed at or before the earliest deadline. A task
    /// already armed for an earlier time is left alone (it wakes, finds nothing due
    /// and re-arms), so the steady state costs one task per wake-up, not one per event.
    func rearm() {
        guard !stopped else { return }
        var next: VRRPInstant?
        for i in deadlines.indices {
            if let d = deadlines[i], next.map({ d < $0 }) ?? true { next = d }
            if let w = warmUpTime(i), next.map({ w < $0 }) ?? true { next = w }
        }
        guard let next else {
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

    func execute(_ actions: [SyncGroupAction]) {
        var index = actions.startIndex
        while index < actions.endIndex {
            let tagged = actions[index]
            index += 1
            if case .peerConflict(let conflict) = tagged.action, let instance = tagged.instance {
                recordConflict(conflict, instance: instance, now: now)
                continue
            }
            let context = tagged.instance.flatMap { contexts[$0] }
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
            if case .notify(let n) = tagged.action, case .scriptFailed(let script) = n.reason { detail = checkDetails[script] }
            executor.execute(tagged.action, context: context, groupNotify: group, detail: detail)
        }
    }

    private func groupNotify(for tagged: SyncGroupAction) -> NotifySpec? {
        guard case .notify(let n) = tagged.action else { return nil }
        return plan.syncGroups.first { $0.name == n.name }?.notify
    }

    func reject(_ rejection: AdvertisementRejection, instance: String?, inbound: InboundPacket) {
        counters.record(rejection.counterName, instance: instance)
        logRejection("dropped packet from \(inbound.packet.source) on \(inbound.interface): \(rejection)", instance: instance)
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

extension IPAddress {
    var isMulticastGroup: Bool {
        switch self {
        case .v4(let a): a.isMulticast
        case .v6(let a): a.isMulticast
        }
    }
}
