import VRRPWire

/// One virtual router (one `vrrp_instance`) on this node: the RFC 5798 / RFC 3768
/// state machine with keepalived's FAULT state, tracking and preemption rules.
///
/// ```
///            start                 Master_Down_Timer / owner startup
///   INIT ──────────> BACKUP ─────────────────────────────> MASTER
///    ^  \              ^  <─────────────────────────────────  │
///    │   \ faults      │   higher priority, or equal from     │
///    │    v            │   a higher address (RFC 5798 §6.4.3)  │
///    │   FAULT ────────┘ all faults clear                     │
///    │     ^  <────────────────────────────────────────────────┘
///    │     │   weight-0 tracker down: priority-0 advert, remove VIPs
///    └─────┴── shutdown (from any state; a MASTER releases first), notify STOP
/// ```
///
/// A value type: every event is a `mutating` method taking `now:` and returning
/// the actions to perform, in order. No I/O, clock, randomness or logging inside;
/// the next timer is `nextDeadline`, derived from state.
public struct VirtualRouter: Sendable {
    /// The configuration in force, after keepalived's adjustments.
    public let configuration: VirtualRouterConfiguration
    /// What `normalized()` adjusted; emitted as `.warn` actions by `start(now:)`.
    public let warnings: [VirtualRouterWarning]
    /// Current state.
    public internal(set) var state: VirtualRouterState = .initialize
    /// Priority after tracking, RFC 5798 §6.1 Priority.
    public internal(set) var effectivePriority: Priority {
        didSet { if effectivePriority != oldValue { updateMasterDownInterval() } }
    }
    /// RFC 5798 §6.1 Master_Adver_Interval: ours as MASTER, the master's as a v3 BACKUP.
    public internal(set) var masterAdvertisementInterval: Duration {
        didSet { if masterAdvertisementInterval != oldValue { updateMasterDownInterval() } }
    }
    /// RFC 5798 §6.1 Master_Down_Interval for the current priority and interval
    /// (`Self.masterDownInterval(…)`), kept with them: a backup restarts its down
    /// timer with it on every advert, and `Duration` arithmetic is dear enough to
    /// be a large part of handling one.
    public internal(set) var masterDownInterval: Duration = .zero
    /// The master as far as we know (ourselves while MASTER).
    public internal(set) var masterAddress: IPAddress?
    /// Tracked scripts, then tracked interfaces, in configuration order.
    public internal(set) var trackers: [Tracker]
    /// keepalived-named counters.
    public internal(set) var statistics = VirtualRouterStatistics()
    /// The last state change.
    public internal(set) var lastTransition: VirtualRouterTransition?

    /// RFC 5798 §6.2 Adver_Timer (MASTER only).
    var advertisementTimer: VRRPInstant?
    /// The priority of the followed master's last advert, and when it came: a
    /// backup tells a second master from a new one by them (`PeerConflict`).
    var masterPriority: Priority?
    var masterHeardAt: VRRPInstant?
    /// The master followed before `masterAddress`, and when that changed: its
    /// farewell advert right after a preemption is not a second master.
    var previousMaster: IPAddress?
    var masterChangedAt: VRRPInstant?
    /// RFC 5798 §6.2 Master_Down_Timer (BACKUP only).
    var masterDownTimer: VRRPInstant?
    /// The master whose priority-0 advert armed the down timer at skew time.
    var releasedBy: IPAddress?
    /// keepalived `preempt_time`: set at the first lower-priority advert heard as a
    /// BACKUP; lower-priority adverts are accepted until it passes.
    var preemptDeadline: VRRPInstant?
    /// `garp_master_refresh` deadline (MASTER only).
    var announcementRefreshTimer: VRRPInstant?
    /// The down timer fired (or owner startup wanted MASTER) while MASTER was held
    /// back; take over as soon as the hold lifts.
    var wantsMaster = false
    /// Set by a sync group: another member cannot go MASTER.
    var syncGroupHold = false
    /// Set by a sync group: another member is FAULT, so this one is too.
    var syncGroupFault: (group: String, member: String)?

    /// Builds the router in INIT from a configuration, applying keepalived's adjustments.
    public init(configuration: VirtualRouterConfiguration) {
        let (normalized, warnings) = configuration.normalized()
        self.configuration = normalized
        self.warnings = warnings
        self.effectivePriority = normalized.priority
        self.masterAdvertisementInterval = normalized.advertisementInterval
        self.trackers = normalized.trackedScripts.map(Tracker.init(script:))
            + normalized.trackedInterfaces.map(Tracker.init(interface:))
        self.effectivePriority = computeEffectivePriority()
        updateMasterDownInterval()
    }

    /// Instance name.
    public var name: String { configuration.name }

    /// The earliest time `deadlineReached(now:)` must be called, or nil.
    public var nextDeadline: VRRPInstant? {
        switch state {
        case .master:
            switch (advertisementTimer, announcementRefreshTimer) {
            case let (a?, r?): min(a, r)
            case let (a, r): a ?? r
            }
        case .backup: masterDownTimer
        case .fault, .initialize: nil
        }
    }

    /// Read-only snapshot.
    public var status: VirtualRouterStatus {
        VirtualRouterStatus(
            name: name, virtualRouterID: configuration.virtualRouterID, state: state,
            effectivePriority: effectivePriority, basePriority: configuration.priority,
            masterAddress: masterAddress, masterAdvertisementInterval: masterAdvertisementInterval,
            trackers: trackers, lastTransition: lastTransition, statistics: statistics)
    }

    // MARK: - Events

    /// RFC 5798 §6.4.1 Startup. keepalived order: FAULT if a fault is present;
    /// MASTER at once for the address owner (priority 255); otherwise BACKUP, with
    /// the first down timer one advert interval + minimum skew for `state MASTER`.
    public mutating func start(now: VRRPInstant) -> [VirtualRouterAction] {
        guard state == .initialize else { return [] }
        var actions = warnings.map(VirtualRouterAction.warn)
        effectivePriority = computeEffectivePriority()
        if let reason = faultReason {
            enterFault(reason: reason, now: now, into: &actions)
        } else {
            enterBackupOrOwnerMaster(reason: .startup, now: now, into: &actions)
        }
        return actions
    }

    /// A timer may have expired: call at (or after) `nextDeadline`.
    public mutating func deadlineReached(now: VRRPInstant) -> [VirtualRouterAction] {
        var actions: [VirtualRouterAction] = []
        switch state {
        case .master:
            if let t = advertisementTimer, t <= now {
                sendAdvertisement(priority: effectivePriority, into: &actions)
                advertisementTimer = now + masterAdvertisementInterval
            }
            if let t = announcementRefreshTimer, t <= now, let refresh = configuration.announcements.masterRefresh {
                actions.append(.announce(configuration.virtualAddresses,
                                         AnnounceSchedule(repeat: configuration.announcements.masterRefreshRepeat)))
                announcementRefreshTimer = now + refresh
            }
        case .backup:
            if let t = masterDownTimer, t <= now {
                masterDownTimer = nil
                let reason: TransitionReason = releasedBy.map { .masterReleased(by: $0) } ?? .masterDownTimerExpired
                releasedBy = nil
                if isHeldFromMaster {
                    wantsMaster = true
                } else {
                    becomeMaster(reason: reason, now: now, into: &actions)
                }
            }
        case .fault, .initialize:
            break
        }
        return actions
    }

    /// Orderly stop: a MASTER sends a priority-0 advert and removes its addresses;
    /// every started router notifies STOP and returns to INIT.
    public mutating func shutdown(now: VRRPInstant) -> [VirtualRouterAction] {
        guard state != .initialize else { return [] }
        var actions: [VirtualRouterAction] = []
        if state == .master { releaseMastership(into: &actions) }
        transition(to: .initialize, reason: .shutdown, now: now, into: &actions)
        clearTimers()
        wantsMaster = false
        return actions
    }

    // MARK: - Transitions shared by the extensions

    /// BACKUP, or MASTER at once for the address owner (keepalived treats priority
    /// 255 as `state MASTER` and takes over without waiting).
    mutating func enterBackupOrOwnerMaster(reason: TransitionReason, now: VRRPInstant, into actions: inout [VirtualRouterAction]) {
        masterAdvertisementInterval = configuration.advertisementInterval
        let wantsMasterAtOnce = configuration.initialState == .master && configuration.priority.isOwner
        if wantsMasterAtOnce, !isHeldFromMaster {
            becomeMaster(reason: reason == .startup ? .addressOwnerStartup : reason, now: now, into: &actions)
            return
        }
        masterAddress = nil
        transition(to: .backup, reason: reason, now: now, into: &actions)
        if wantsMasterAtOnce {
            wantsMaster = true
        } else if configuration.initialState == .master {
            // keepalived: one advert interval + minimum skew for a `state MASTER` start.
            masterDownTimer = now + masterAdvertisementInterval + minimumSkewTime
        } else {
            masterDownTimer = now + masterDownInterval
        }
    }

    mutating func becomeMaster(reason: TransitionReason, now: VRRPInstant, into actions: inout [VirtualRouterAction]) {
        clearTimers()
        wantsMaster = false
        masterAdvertisementInterval = configuration.advertisementInterval
        masterAddress = configuration.primaryAddress
        statistics.becomeMaster += 1
        sendAdvertisement(priority: effectivePriority, into: &actions)
        actions.append(.addVirtualAddresses(configuration.virtualAddresses))
        let a = configuration.announcements
        if a.masterRepeat > 0 {
            actions.append(.announce(configuration.virtualAddresses,
                                     AnnounceSchedule(repeat: a.masterRepeat, secondBurstAfter: a.masterDelay)))
        }
        advertisementTimer = now + masterAdvertisementInterval
        announcementRefreshTimer = a.masterRefresh.map { now + $0 }
        transition(to: .master, reason: reason, now: now, into: &actions)
    }

    /// Leaving MASTER towards FAULT or STOP (keepalived `leave_master(advF: true)`):
    /// a priority-0 advert so backups take over after skew time, then the VIPs go.
    mutating func releaseMastership(into actions: inout [VirtualRouterAction]) {
        sendAdvertisement(priority: .release, into: &actions)
        actions.append(.removeVirtualAddresses(configuration.virtualAddresses))
        statistics.releaseMaster += 1
    }

    mutating func enterFault(reason: TransitionReason, now: VRRPInstant, into actions: inout [VirtualRouterAction]) {
        if state == .master { releaseMastership(into: &actions) }
        clearTimers()
        wantsMaster = false
        masterAddress = nil
        transition(to: .fault, reason: reason, now: now, into: &actions)
    }

    mutating func sendAdvertisement(priority: Priority, into actions: inout [VirtualRouterAction]) {
        statistics.advertSent += 1
        if priority.isRelease { statistics.priorityZeroSent += 1 }
        actions.append(.sendAdvertisement(Advertisement(
            version: configuration.version, virtualRouterID: configuration.virtualRouterID,
            priority: priority, advertisementInterval: configuration.advertisementInterval,
            addresses: configuration.virtualAddresses, authentication: configuration.authentication)))
    }

    /// Records the change and emits exactly one notify for it.
    mutating func transition(to newState: VirtualRouterState, reason: TransitionReason, now: VRRPInstant, into actions: inout [VirtualRouterAction]) {
        guard newState != state else { return }
        lastTransition = VirtualRouterTransition(from: state, to: newState, reason: reason, at: now)
        state = newState
        actions.append(.notify(StateNotification(
            scope: .instance, name: name, state: .init(newState), priority: effectivePriority, reason: reason)))
    }

    mutating func clearTimers() {
        advertisementTimer = nil
        masterDownTimer = nil
        releasedBy = nil
        preemptDeadline = nil
        announcementRefreshTimer = nil
    }
}
