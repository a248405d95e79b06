import Testing
import VRRPCore
import VRRPWire

@Suite("Tracking, FAULT and configuration adjustments")
struct TrackingRuleTests {
    @Test("weight-0 script failure on master releases with priority 0 then removes VIPs")
    func weightZeroFailureReleases() {
        var (r, t) = master(config(priority: 150, scripts: [TrackedScript(name: "chk")]))
        _ = r.checkResult(script: "chk", succeeded: true, now: t)
        let actions = r.checkResult(script: "chk", succeeded: false, now: t + .seconds(1))
        #expect(r.state == .fault)
        #expect(actions == [
            .sendAdvertisement(advert(priority: 0)),
            .removeVirtualAddresses([vip]),
            .notify(StateNotification(scope: .instance, name: "VI_1", state: .fault, priority: Priority(150), reason: .scriptFailed("chk"))),
        ])
        #expect(r.nextDeadline == nil)
        // FAULT ignores adverts.
        #expect(r.advertisementReceived(advert(priority: 0), from: ip("192.0.2.9"), now: t + .seconds(2)).isEmpty)
    }

    @Test("leaving FAULT negotiates as BACKUP with a full master-down interval")
    func leavingFaultNegotiates() {
        var r = VirtualRouter(configuration: config(priority: 150, scripts: [TrackedScript(name: "chk", initFail: true)]))
        _ = r.start(now: .zero)
        let now = at(.seconds(4))
        let actions = r.checkResult(script: "chk", succeeded: true, now: now)
        #expect(actions.notifications.map(\.reason) == [.faultsCleared])
        #expect(r.state == .backup)
        #expect(r.nextDeadline == now + r.masterDownInterval)
    }

    @Test("a weight-0 script keeps the instance out of MASTER until its first result")
    func pendingScriptHoldsMaster() {
        var r = VirtualRouter(configuration: config(priority: 150, scripts: [TrackedScript(name: "chk")]))
        _ = r.start(now: .zero)
        #expect(r.state == .backup)
        #expect(r.deadlineReached(now: r.nextDeadline!).isEmpty)
        #expect(r.state == .backup)
        #expect(r.nextDeadline == nil)
        let actions = r.checkResult(script: "chk", succeeded: true, now: at(.seconds(5)))
        #expect(r.state == .master)
        #expect(actions.notifiedStates == [.master])
    }

    @Test("a pending weight-0 script does not stop an owner from becoming MASTER once it passes")
    func ownerHeldByPendingScript() {
        var r = VirtualRouter(configuration: config(priority: 255, scripts: [TrackedScript(name: "chk")]))
        #expect(r.start(now: .zero).notifiedStates == [.backup])
        #expect(r.checkResult(script: "chk", succeeded: true, now: at(.seconds(1))).notifiedStates == [.master])
    }

    @Test("positive weight is added while the script is up")
    func positiveWeight() {
        var r = VirtualRouter(configuration: config(priority: 100, scripts: [TrackedScript(name: "up", weight: 20)]))
        _ = r.start(now: .zero)
        #expect(r.effectivePriority == Priority(100))
        _ = r.checkResult(script: "up", succeeded: true, now: .zero)
        #expect(r.effectivePriority == Priority(120))
        _ = r.checkResult(script: "up", succeeded: false, now: .zero)
        #expect(r.effectivePriority == Priority(100))
    }

    @Test("negative weight is subtracted while the script is down")
    func negativeWeight() {
        var r = VirtualRouter(configuration: config(priority: 100, scripts: [TrackedScript(name: "s", weight: -30)]))
        _ = r.start(now: .zero)
        _ = r.checkResult(script: "s", succeeded: true, now: .zero)
        #expect(r.effectivePriority == Priority(100))
        _ = r.checkResult(script: "s", succeeded: false, now: .zero)
        #expect(r.effectivePriority == Priority(70))
        #expect(r.state == .backup)
    }

    @Test("reverse flips the script's sense")
    func reverseFlips() {
        var r = VirtualRouter(configuration: config(priority: 100, scripts: [TrackedScript(name: "s", weight: -30, reverse: true)]))
        _ = r.start(now: .zero)
        _ = r.checkResult(script: "s", succeeded: true, now: .zero)
        #expect(r.effectivePriority == Priority(70))
        var f = VirtualRouter(configuration: config(scripts: [TrackedScript(name: "s", reverse: true)]))
        _ = f.start(now: .zero)
        _ = f.checkResult(script: "s", succeeded: true, now: .zero)
        #expect(f.state == .fault)
    }

    @Test("rise and fall debounce script results")
    func riseAndFall() {
        var r = VirtualRouter(configuration: config(scripts: [TrackedScript(name: "s", rise: 2, fall: 3)]))
        _ = r.start(now: .zero)
        _ = r.checkResult(script: "s", succeeded: true, now: .zero)  // first result decides: up
        _ = r.checkResult(script: "s", succeeded: false, now: .zero)
        _ = r.checkResult(script: "s", succeeded: false, now: .zero)
        #expect(r.state == .backup)
        _ = r.checkResult(script: "s", succeeded: true, now: .zero)  // streak broken
        _ = r.checkResult(script: "s", succeeded: false, now: .zero)
        _ = r.checkResult(script: "s", succeeded: false, now: .zero)
        #expect(r.state == .backup)
        #expect(r.checkResult(script: "s", succeeded: false, now: .zero).notifiedStates == [.fault])
        #expect(r.checkResult(script: "s", succeeded: true, now: .zero).isEmpty)
        #expect(r.checkResult(script: "s", succeeded: true, now: .zero).notifiedStates == [.backup])
    }

    @Test("effective priority is clamped to 1...254 and a configured 255 never changes")
    func clamping() {
        var low = VirtualRouter(configuration: config(priority: 10, scripts: [TrackedScript(name: "s", weight: -50)]))
        _ = low.start(now: .zero)
        _ = low.checkResult(script: "s", succeeded: false, now: .zero)
        #expect(low.effectivePriority == Priority(1))
        var high = VirtualRouter(configuration: config(priority: 250, scripts: [TrackedScript(name: "s", weight: 50)]))
        _ = high.checkResult(script: "s", succeeded: true, now: .zero)
        #expect(high.effectivePriority == Priority(254))
        var owner = VirtualRouter(configuration: config(priority: 255, scripts: [TrackedScript(name: "s", weight: -50)]))
        _ = owner.checkResult(script: "s", succeeded: false, now: .zero)
        #expect(owner.effectivePriority == .owner)
    }

    @Test("tracked interface down enters FAULT; a weighted interface lowers the priority")
    func trackedInterfaces() {
        var (r, t) = master(config(priority: 150, interfaces: [TrackedInterface(name: "eth0"), TrackedInterface(name: "eth1", weight: -20)]))
        _ = r.interfaceChanged(name: "eth1", up: false, now: t)
        #expect(r.effectivePriority == Priority(130))
        #expect(r.state == .master)
        let actions = r.interfaceChanged(name: "eth0", up: false, now: t)
        #expect(actions.sentPriorities == [0])
        #expect(actions.notifications.map(\.reason) == [.interfaceDown("eth0")])
        #expect(r.interfaceChanged(name: "eth0", up: true, now: t).notifiedStates == [.backup])
    }

    @Test("link state reported before start decides the first state")
    func interfaceBeforeStart() {
        var r = VirtualRouter(configuration: config(interfaces: [TrackedInterface(name: "eth0")]))
        #expect(r.interfaceChanged(name: "eth0", up: false, now: .zero).isEmpty)
        #expect(r.start(now: .zero).notifiedStates == [.fault])
    }

    @Test("state MASTER clears nopreempt with a warning")
    func stateMasterClearsNopreempt() {
        var r = VirtualRouter(configuration: config(state: .master, nopreempt: true))
        #expect(r.configuration.nopreempt == false)
        #expect(r.warnings == [.nopreemptCleared(instance: "VI_1", cause: .initialStateMaster)])
        #expect(r.start(now: .zero).warnings == r.warnings)
    }

    @Test("priority 255 clears nopreempt and preempt_delay with warnings")
    func ownerClearsPreemption() {
        let r = VirtualRouter(configuration: config(priority: 255, nopreempt: true, preemptDelay: .seconds(30)))
        #expect(r.configuration.nopreempt == false)
        #expect(r.configuration.preemptDelay == .zero)
        #expect(r.warnings == [.nopreemptCleared(instance: "VI_1", cause: .addressOwner),
                               .preemptDelayCleared(instance: "VI_1", cause: .addressOwner)])
    }

    @Test("state MASTER clears preempt_delay with a warning")
    func stateMasterClearsPreemptDelay() {
        let r = VirtualRouter(configuration: config(state: .master, preemptDelay: .seconds(300)))
        #expect(r.configuration.preemptDelay == .zero)
        #expect(r.warnings == [.preemptDelayCleared(instance: "VI_1", cause: .initialStateMaster)])
    }

    @Test("v2 interval is rounded to whole seconds with a warning")
    func intervalAdjusted() {
        let r = VirtualRouter(configuration: config(interval: .milliseconds(1500)))
        #expect(r.configuration.advertisementInterval == .seconds(1))
        #expect(r.warnings.count == 1)
    }
}
