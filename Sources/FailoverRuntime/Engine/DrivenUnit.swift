import VRRPCore
import VRRPWire

/// What the engine drives: a lone virtual router, or a sync group of them. Both
/// answer with `TaggedAction`s (instance-tagged actions) so execution is one path.
///
/// A struct of two optionals rather than an enum: events mutate the router or group
/// in place (`router!.event(…)`). Copying a payload out of an enum case, mutating it
/// and storing it back made every array inside the router copy-on-write on each
/// event — with 255 instances at 0.1 s that was most of the engine's CPU.
struct DrivenUnit: Sendable {
    /// The lone router (nil for a group).
    private(set) var router: VirtualRouter?
    /// The sync group (nil for a lone router).
    private(set) var group: SyncGroup?

    static func instance(_ router: VirtualRouter) -> DrivenUnit { DrivenUnit(router: router, group: nil) }
    static func group(_ group: SyncGroup) -> DrivenUnit { DrivenUnit(router: nil, group: group) }

    var instanceNames: [String] {
        if let router { [router.name] } else { group?.members.map(\.name) ?? [] }
    }

    var routers: [VirtualRouter] {
        if let router { [router] } else { group?.members ?? [] }
    }

    var nextDeadline: VRRPInstant? {
        if let router { router.nextDeadline } else { group?.nextDeadline }
    }

    /// Applies one event to a lone router or the whole group, in place.
    mutating func apply(
        router event: (inout VirtualRouter) -> [VirtualRouterAction],
        group groupEvent: (inout SyncGroup) -> [TaggedAction]
    ) -> [TaggedAction] {
        if router != nil {
            let actions = event(&router!)
            guard !actions.isEmpty else { return [] }
            let name = router!.name
            return actions.map { TaggedAction(instance: name, action: $0) }
        }
        return groupEvent(&group!)
    }

    mutating func start(now: VRRPInstant) -> [TaggedAction] {
        apply(router: { $0.start(now: now) }, group: { $0.start(now: now) })
    }

    mutating func deadlineReached(now: VRRPInstant) -> [TaggedAction] {
        apply(router: { $0.deadlineReached(now: now) }, group: { $0.deadlineReached(now: now) })
    }

    /// `instance`: the group member the advert is for (a lone router ignores it).
    mutating func advertisementReceived(_ advert: Advertisement, from source: IPAddress, instance: String, now: VRRPInstant) -> [TaggedAction] {
        apply(router: { $0.advertisementReceived(advert, from: source, now: now) },
              group: { $0.advertisementReceived(advert, from: source, instance: instance, now: now) })
    }

    mutating func checkResult(script: String, succeeded: Bool, now: VRRPInstant) -> [TaggedAction] {
        apply(router: { $0.checkResult(script: script, succeeded: succeeded, now: now) },
              group: { $0.checkResult(script: script, succeeded: succeeded, now: now) })
    }

    mutating func interfaceChanged(name: String, up: Bool, now: VRRPInstant) -> [TaggedAction] {
        apply(router: { $0.interfaceChanged(name: name, up: up, now: now) },
              group: { $0.interfaceChanged(name: name, up: up, now: now) })
    }

    mutating func shutdown(now: VRRPInstant) -> [TaggedAction] {
        apply(router: { $0.shutdown(now: now) }, group: { $0.shutdown(now: now) })
    }
}
