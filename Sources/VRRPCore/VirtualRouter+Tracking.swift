import VRRPWire

/// Tracked scripts and interfaces: effective priority and FAULT (keepalived
/// `vrrp_track.c`).
///
/// ```
///  BACKUP/MASTER ── weight-0 tracker unhealthy ──> FAULT (a MASTER releases first)
///  FAULT ────────── every fault cleared ─────────> BACKUP (owner: MASTER at once)
///  BACKUP (held) ── weight-0 script first result ─> MASTER if the down timer already fired
/// ```
extension VirtualRouter {
    /// One raw run of a tracked script finished. Rise/fall debouncing happens here,
    /// so the core is the single source of truth for the script's state.
    public mutating func checkResult(script: String, succeeded: Bool, now: VRRPInstant) -> [VirtualRouterAction] {
        var changed = false
        for i in trackers.indices where trackers[i].kind == .script && trackers[i].name == script {
            if trackers[i].record(success: succeeded) { changed = true }
        }
        guard changed else { return [] }
        return reevaluate(now: now)
    }

    /// A tracked interface's link went up or down. Before `start(now:)` this only
    /// records the link state, so the runtime can report initial link states first.
    public mutating func interfaceChanged(name: String, up: Bool, now: VRRPInstant) -> [VirtualRouterAction] {
        var changed = false
        for i in trackers.indices where trackers[i].kind == .interface && trackers[i].name == name {
            if trackers[i].record(success: up) { changed = true }
        }
        guard changed else { return [] }
        return reevaluate(now: now)
    }

    /// The first reason this router must be FAULT, if any.
    var faultReason: TransitionReason? {
        if let t = trackers.first(where: \.forcesFault) {
            return t.kind == .script ? .scriptFailed(t.name) : .interfaceDown(t.name)
        }
        if let s = syncGroupFault { return .syncGroup(group: s.group, member: s.member) }
        return nil
    }

    /// MASTER is not allowed yet: a weight-0 script has no result, or the sync group
    /// says another member cannot follow.
    var isHeldFromMaster: Bool {
        syncGroupHold || trackers.contains(where: \.holdsMaster)
    }

    /// RFC 5798 Priority after keepalived tracking: base + adjustments, clamped to
    /// 1…254; a configured 255 (address owner) never changes.
    func computeEffectivePriority() -> Priority {
        let base = configuration.priority
        if base.isOwner { return base }
        let total = trackers.reduce(Int(base.rawValue)) { $0 + $1.priorityAdjustment }
        return Priority(UInt8(min(max(total, 1), 254)))
    }

    /// Re-derives priority and FAULT from tracker and sync-group state and makes
    /// the transitions that follow.
    mutating func reevaluate(now: VRRPInstant) -> [VirtualRouterAction] {
        effectivePriority = computeEffectivePriority()
        var actions: [VirtualRouterAction] = []
        switch state {
        case .initialize:
            break
        case .backup, .master:
            if let reason = faultReason {
                enterFault(reason: reason, now: now, into: &actions)
            } else if state == .backup, wantsMaster, !isHeldFromMaster {
                becomeMaster(reason: .masterDownTimerExpired, now: now, into: &actions)
            }
        case .fault:
            if faultReason == nil {
                enterBackupOrOwnerMaster(reason: .faultsCleared, now: now, into: &actions)
            }
        }
        return actions
    }
}
