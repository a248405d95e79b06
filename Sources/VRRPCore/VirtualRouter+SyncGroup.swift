import VRRPWire

/// The hooks a `SyncGroup` uses to move a member along with the others.
extension VirtualRouter {
    /// This member's own reason to be FAULT (trackers only, not the group).
    var ownFault: Bool { trackers.contains(where: \.forcesFault) }

    /// This member's own reason to stay out of MASTER (a weight-0 script without a result).
    var ownHold: Bool { trackers.contains(where: \.holdsMaster) }

    /// Another member is FAULT (nil: none). Re-evaluates when it changes.
    mutating func setSyncGroupFault(_ cause: (group: String, member: String)?, now: VRRPInstant) -> [VirtualRouterAction] {
        guard (cause == nil) != (syncGroupFault == nil) else { return [] }
        syncGroupFault = cause
        return reevaluate(now: now)
    }

    /// Another member cannot go MASTER. Re-evaluates when the hold lifts.
    mutating func setSyncGroupHold(_ hold: Bool, now: VRRPInstant) -> [VirtualRouterAction] {
        guard hold != syncGroupHold else { return [] }
        syncGroupHold = hold
        return hold ? [] : reevaluate(now: now)
    }

    /// Another member became MASTER: a BACKUP member follows at once.
    mutating func syncGroupPromote(group: String, member: String, now: VRRPInstant) -> [VirtualRouterAction] {
        guard state == .backup, !isHeldFromMaster else { return [] }
        var actions: [VirtualRouterAction] = []
        becomeMaster(reason: .syncGroup(group: group, member: member), now: now, into: &actions)
        return actions
    }

    /// Another member left MASTER for BACKUP: a MASTER member releases (priority-0
    /// advert so its peer takes over after skew time, as keepalived's
    /// `leave_master(advF: true)`) and becomes BACKUP.
    mutating func syncGroupDemote(group: String, member: String, now: VRRPInstant) -> [VirtualRouterAction] {
        guard state == .master else { return [] }
        var actions: [VirtualRouterAction] = []
        releaseMastership(into: &actions)
        clearTimers()
        masterAddress = nil
        transition(to: .backup, reason: .syncGroup(group: group, member: member), now: now, into: &actions)
        masterDownTimer = now + masterDownInterval
        return actions
    }
}
