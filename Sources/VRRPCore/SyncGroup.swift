import VRRPWire

/// A `vrrp_sync_group`: member instances that change state together.
///
/// ```
///  member → MASTER ──────────> every BACKUP member → MASTER (when none is held)
///  member MASTER → BACKUP ───> every MASTER member releases → BACKUP
///  member → FAULT ───────────> every member → FAULT
///  last member fault clears ─> every member leaves FAULT (negotiates)
///  group state changes ──────> one GROUP notify (priority 0)
/// ```
/// A member goes MASTER only when all can: while any member is FAULT, or holds
/// back for a weight-0 script without a result, no member takes over.
public struct SyncGroup: Sendable {
    /// The `vrrp_sync_group` name.
    public let name: String
    /// Member instances, in configuration order.
    public internal(set) var members: [VirtualRouter]
    /// The group's state: FAULT if any member is, MASTER when all are, BACKUP when all are.
    public internal(set) var state: VirtualRouterState = .initialize

    public init(name: String, members: [VirtualRouter]) {
        self.name = name
        self.members = members
    }

    /// The earliest member deadline.
    public var nextDeadline: VRRPInstant? { members.compactMap(\.nextDeadline).min() }

    /// The member with this instance name.
    public func member(named instance: String) -> VirtualRouter? { members.first { $0.name == instance } }

    public mutating func start(now: VRRPInstant) -> [TaggedAction] {
        // Faults and holds are known before anyone starts, so no member starts MASTER alone.
        var actions: [TaggedAction] = []
        applyGroupConditions(now: now, into: &actions)
        for i in members.indices { append(members[i].start(now: now), member: i, to: &actions) }
        coordinate(now: now, into: &actions)
        return actions
    }

    /// An advert for the member named `instance`.
    public mutating func advertisementReceived(_ advert: Advertisement, from source: IPAddress, instance: String, now: VRRPInstant) -> [TaggedAction] {
        dispatch(now: now) { i, router in router.name == instance ? router.advertisementReceived(advert, from: source, now: now) : [] }
    }

    public mutating func deadlineReached(now: VRRPInstant) -> [TaggedAction] {
        dispatch(now: now) { _, router in router.deadlineReached(now: now) }
    }

    public mutating func checkResult(script: String, succeeded: Bool, now: VRRPInstant) -> [TaggedAction] {
        dispatch(now: now) { _, router in router.checkResult(script: script, succeeded: succeeded, now: now) }
    }

    public mutating func interfaceChanged(name interface: String, up: Bool, now: VRRPInstant) -> [TaggedAction] {
        dispatch(now: now) { _, router in router.interfaceChanged(name: interface, up: up, now: now) }
    }

    public mutating func shutdown(now: VRRPInstant) -> [TaggedAction] {
        var actions: [TaggedAction] = []
        for i in members.indices { append(members[i].shutdown(now: now), member: i, to: &actions) }
        if state != .initialize {
            state = .initialize
            actions.append(groupNotify(.stop, reason: .shutdown))
        }
        return actions
    }

    // MARK: - Coordination

    private mutating func dispatch(now: VRRPInstant, _ body: (Int, inout VirtualRouter) -> [VirtualRouterAction]) -> [TaggedAction] {
        var actions: [TaggedAction] = []
        var changed = false
        for i in members.indices {
            let before = (members[i].state, members[i].ownFault, members[i].ownHold)
            append(body(i, &members[i]), member: i, to: &actions)
            changed = changed || before != (members[i].state, members[i].ownFault, members[i].ownHold)
        }
        // Group conditions derive only from member states and own faults/holds.
        if changed { coordinate(now: now, into: &actions) }
        return actions
    }

    private mutating func append(_ routerActions: [VirtualRouterAction], member i: Int, to actions: inout [TaggedAction]) {
        actions += routerActions.map { TaggedAction(instance: members[i].name, action: $0) }
    }

    /// Sets every member's group fault and hold from the others' own conditions.
    private mutating func applyGroupConditions(now: VRRPInstant, into actions: inout [TaggedAction]) {
        for i in members.indices {
            let faulty = members.indices.first { $0 != i && members[$0].ownFault }
            let cause = faulty.map { (group: name, member: members[$0].name) }
            append(members[i].setSyncGroupFault(cause, now: now), member: i, to: &actions)
        }
        for i in members.indices {
            let hold = members.indices.contains { j in
                j != i && (members[j].ownHold || members[j].state == .fault)
            }
            append(members[i].setSyncGroupHold(hold, now: now), member: i, to: &actions)
        }
    }

    /// Pulls members along with whichever member changed, until nothing changes.
    private mutating func coordinate(now: VRRPInstant, into actions: inout [TaggedAction]) {
        var examined = 0
        for _ in 0..<(members.count * 4 + 4) {
            applyGroupConditions(now: now, into: &actions)
            let newTransitions = transitions(in: actions[examined...])
            examined = actions.count
            for (member, to) in newTransitions {
                for i in members.indices where members[i].name != member {
                    switch to {
                    case .master: append(members[i].syncGroupPromote(group: name, member: member, now: now), member: i, to: &actions)
                    case .backup: append(members[i].syncGroupDemote(group: name, member: member, now: now), member: i, to: &actions)
                    default: break
                    }
                }
            }
            if actions.count == examined { break }
        }
        updateGroupState(into: &actions)
    }

    private func transitions(in slice: ArraySlice<TaggedAction>) -> [(String, StateNotification.State)] {
        slice.compactMap { a in
            guard case let .notify(n) = a.action, let instance = a.instance else { return nil }
            return (instance, n.state)
        }
    }

    private mutating func updateGroupState(into actions: inout [TaggedAction]) {
        let states = members.map(\.state)
        let derived: VirtualRouterState
        if states.contains(.fault) {
            derived = .fault
        } else if states.allSatisfy({ $0 == .master }) {
            derived = .master
        } else if states.allSatisfy({ $0 == .backup }) || (state == .master && states.contains(.backup)) {
            derived = .backup
        } else {
            derived = state
        }
        guard derived != state, derived != .initialize else { return }
        state = derived
        actions.append(groupNotify(.init(derived), reason: .syncGroup(group: name, member: name)))
    }

    private func groupNotify(_ s: StateNotification.State, reason: TransitionReason) -> TaggedAction {
        TaggedAction(instance: nil, action: .notify(StateNotification(
            scope: .group, name: name, state: s, priority: .release, reason: reason)))
    }
}
