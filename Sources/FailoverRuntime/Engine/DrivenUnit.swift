import VRRPCore
import VRRPWire

/// What the engine drives: a lone virtual router, or a sync group of them. Both
/// answer with `SyncGroupAction`s (instance-tagged actions) so execution is one path.
enum DrivenUnit: Sendable {
    case instance(VirtualRouter)
    case group(SyncGroup)

    var instanceNames: [String] {
        switch self {
        case .instance(let router): [router.name]
        case .group(let group): group.members.map(\.name)
        }
    }

    var routers: [VirtualRouter] {
        switch self {
        case .instance(let router): [router]
        case .group(let group): group.members
        }
    }

    var nextDeadline: VRRPInstant? {
        switch self {
        case .instance(let router): router.nextDeadline
        case .group(let group): group.nextDeadline
        }
    }

    /// Applies one event to a lone router or the whole group.
    mutating func apply(
        router event: (inout VirtualRouter) -> [VirtualRouterAction],
        group groupEvent: (inout SyncGroup) -> [SyncGroupAction]
    ) -> [SyncGroupAction] {
        switch self {
        case .instance(var router):
            let actions = event(&router)
            self = .instance(router)
            return actions.map { SyncGroupAction(instance: router.name, action: $0) }
        case .group(var group):
            let actions = groupEvent(&group)
            self = .group(group)
            return actions
        }
    }

    mutating func start(now: VRRPInstant) -> [SyncGroupAction] {
        apply(router: { $0.start(now: now) }, group: { $0.start(now: now) })
    }

    mutating func deadlineReached(now: VRRPInstant) -> [SyncGroupAction] {
        apply(router: { $0.deadlineReached(now: now) }, group: { $0.deadlineReached(now: now) })
    }

    mutating func advertisementReceived(_ advert: Advertisement, from source: IPAddress, instance: String, now: VRRPInstant) -> [SyncGroupAction] {
        apply(router: { $0.advertisementReceived(advert, from: source, now: now) },
              group: { $0.advertisementReceived(advert, from: source, instance: instance, now: now) })
    }

    mutating func checkResult(script: String, succeeded: Bool, now: VRRPInstant) -> [SyncGroupAction] {
        apply(router: { $0.checkResult(script: script, succeeded: succeeded, now: now) },
              group: { $0.checkResult(script: script, succeeded: succeeded, now: now) })
    }

    mutating func interfaceChanged(name: String, up: Bool, now: VRRPInstant) -> [SyncGroupAction] {
        apply(router: { $0.interfaceChanged(name: name, up: up, now: now) },
              group: { $0.interfaceChanged(name: name, up: up, now: now) })
    }

    mutating func shutdown(now: VRRPInstant) -> [SyncGroupAction] {
        apply(router: { $0.shutdown(now: now) }, group: { $0.shutdown(now: now) })
    }
}
