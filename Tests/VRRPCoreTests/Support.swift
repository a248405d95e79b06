import VRRPCore
import VRRPWire

func ip(_ text: String) -> IPAddress { IPAddress(text)! }
func vrid(_ n: Int) -> VirtualRouterID { VirtualRouterID(n)! }
func at(_ d: Duration) -> VRRPInstant { VRRPInstant(offset: d) }

let vip = ip("198.51.100.10")

func config(
    _ name: String = "VI_1", priority: UInt8 = 100, address: String = "192.0.2.1", version: VRRPVersion = .v2,
    interval: Duration = .seconds(1), state: VirtualRouterConfiguration.InitialState = .backup,
    nopreempt: Bool = false, preemptDelay: Duration = .zero, scripts: [TrackedScript] = [],
    interfaces: [TrackedInterface] = [], announcements: AnnouncementSettings = .init(), vrid id: Int = 51
) -> VirtualRouterConfiguration {
    VirtualRouterConfiguration(
        name: name, virtualRouterID: vrid(id), version: version, priority: Priority(priority),
        advertisementInterval: interval, primaryAddress: ip(address), virtualAddresses: [vip],
        initialState: state, nopreempt: nopreempt, preemptDelay: preemptDelay,
        trackedScripts: scripts, trackedInterfaces: interfaces, announcements: announcements)
}

func advert(priority: UInt8, version: VRRPVersion = .v2, interval: Duration = .seconds(1), vrid id: Int = 51) -> Advertisement {
    Advertisement(version: version, virtualRouterID: vrid(id), priority: Priority(priority),
                  advertisementInterval: interval, addresses: [vip])
}

extension [VirtualRouterAction] {
    var notifications: [StateNotification] {
        compactMap { if case let .notify(n) = $0 { n } else { nil } }
    }
    var notifiedStates: [StateNotification.State] { notifications.map(\.state) }
    var sentPriorities: [UInt8] {
        compactMap { if case let .sendAdvertisement(a) = $0 { a.priority.rawValue } else { nil } }
    }
    var announces: Int { filter { if case .announce = $0 { true } else { false } }.count }
    var warnings: [VirtualRouterWarning] { compactMap { if case let .warn(w) = $0 { w } else { nil } } }
}

/// A started backup that has heard a master at `t0` so its down timer is armed.
func backupHearing(_ c: VirtualRouterConfiguration, masterPriority: UInt8, from source: String = "192.0.2.9") -> VirtualRouter {
    var r = VirtualRouter(configuration: c)
    _ = r.start(now: .zero)
    _ = r.advertisementReceived(advert(priority: masterPriority, version: c.version, interval: c.advertisementInterval),
                                from: ip(source), now: .zero)
    return r
}

/// A router driven to MASTER by letting its first down timer expire.
func master(_ c: VirtualRouterConfiguration) -> (VirtualRouter, VRRPInstant) {
    var r = VirtualRouter(configuration: c)
    _ = r.start(now: .zero)
    for script in c.trackedScripts { _ = r.checkResult(script: script.name, succeeded: true, now: .zero) }
    let t = r.nextDeadline!
    _ = r.deadlineReached(now: t)
    precondition(r.state == .master)
    return (r, t)
}
