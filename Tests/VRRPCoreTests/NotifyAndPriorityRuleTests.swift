import Testing
import VRRPCore
import VRRPWire

@Suite("Notifications and effective priority")
struct NotifyAndPriorityRuleTests {
    @Test("a second fault while in FAULT emits no second notify")
    func noDuplicateFaultNotify() {
        var r = VirtualRouter(configuration: config(scripts: [TrackedScript(name: "a"), TrackedScript(name: "b")]))
        _ = r.start(now: .zero)
        #expect(r.checkResult(script: "a", succeeded: false, now: .zero).notifiedStates == [.fault])
        #expect(r.checkResult(script: "b", succeeded: false, now: .zero).isEmpty)
        #expect(r.checkResult(script: "a", succeeded: true, now: .zero).isEmpty)
        #expect(r.checkResult(script: "b", succeeded: true, now: .zero).notifiedStates == [.backup])
    }

    @Test("notify carries the effective priority after tracking")
    func notifyCarriesEffectivePriority() {
        var r = VirtualRouter(configuration: config(priority: 100, scripts: [TrackedScript(name: "w", weight: 25)]))
        _ = r.start(now: .zero)
        _ = r.checkResult(script: "w", succeeded: true, now: .zero)
        let n = r.deadlineReached(now: r.nextDeadline!).notifications
        #expect(n.map(\.notifyArguments) == [["INSTANCE", "VI_1", "MASTER", "125"]])
    }

    @Test("a master's adverts carry the effective priority after a weight change")
    func advertsFollowPriority() {
        var (r, t) = master(config(priority: 100, scripts: [TrackedScript(name: "w", weight: -40)]))
        _ = r.checkResult(script: "w", succeeded: false, now: t)
        #expect(r.state == .master)
        #expect(r.deadlineReached(now: r.nextDeadline!).sentPriorities == [60])
    }

    @Test("leaving FAULT with state MASTER uses the short first down timer")
    func leavingFaultStateMaster() {
        var r = VirtualRouter(configuration: config(priority: 150, state: .master, interfaces: [TrackedInterface(name: "eth0")]))
        _ = r.interfaceChanged(name: "eth0", up: false, now: .zero)
        _ = r.start(now: .zero)
        #expect(r.state == .fault)
        _ = r.interfaceChanged(name: "eth0", up: true, now: at(.seconds(2)))
        #expect(r.nextDeadline == at(.seconds(3) + .microseconds(3906)))
    }

    @Test("FAULT counts adverts but does not act on them")
    func faultIgnoresAdverts() {
        var r = VirtualRouter(configuration: config(scripts: [TrackedScript(name: "chk", initFail: true)]))
        _ = r.start(now: .zero)
        #expect(r.advertisementReceived(advert(priority: 0), from: ip("192.0.2.9"), now: .zero).isEmpty)
        #expect(r.statistics.priorityZeroReceived == 1)
        #expect(r.nextDeadline == nil)
    }

    @Test("backup with equal priority accepts the master whatever its address (RFC 5798 6.4.2)")
    func backupAcceptsEqualPriority() {
        var r = backupHearing(config(priority: 100, address: "192.0.2.200"), masterPriority: 100, from: "192.0.2.9")
        let t = at(.seconds(1))
        _ = r.advertisementReceived(advert(priority: 100), from: ip("192.0.2.9"), now: t)
        #expect(r.nextDeadline == t + r.masterDownInterval)
        #expect(r.status.masterAddress == ip("192.0.2.9"))
    }

    @Test("status exposes state, priorities, trackers and the last transition")
    func statusSnapshot() {
        var r = VirtualRouter(configuration: config(priority: 100, scripts: [TrackedScript(name: "w", weight: 5)]))
        _ = r.start(now: at(.seconds(1)))
        _ = r.checkResult(script: "w", succeeded: true, now: at(.seconds(1)))
        let s = r.status
        #expect(s.state == .backup)
        #expect(s.basePriority == Priority(100))
        #expect(s.effectivePriority == Priority(105))
        #expect(s.trackers.map(\.status) == [.up])
        #expect(s.lastTransition == VirtualRouterTransition(from: .initialize, to: .backup, reason: .startup, at: at(.seconds(1))))
    }
}
