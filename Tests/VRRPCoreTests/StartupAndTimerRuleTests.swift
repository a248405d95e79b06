import Testing
import VRRPCore
import VRRPWire

@Suite("Startup and timers")
struct StartupAndTimerRuleTests {
    @Test("startup enters BACKUP with the master-down interval as first down timer")
    func startupBackup() {
        var r = VirtualRouter(configuration: config(priority: 100))
        let actions = r.start(now: .zero)
        #expect(r.state == .backup)
        #expect(actions == [.notify(StateNotification(scope: .instance, name: "VI_1", state: .backup, priority: Priority(100), reason: .startup))])
        // 3 × 1 s + (256 − 100)/256 s
        #expect(r.nextDeadline == at(.seconds(3) + .microseconds(609_375)))
    }

    @Test("state MASTER below 255: first down timer is one advert interval plus minimum skew")
    func stateMasterFirstTimer() {
        var r = VirtualRouter(configuration: config(priority: 150, state: .master))
        _ = r.start(now: .zero)
        #expect(r.state == .backup)
        #expect(r.nextDeadline == at(.seconds(1) + .microseconds(3906)))
        let actions = r.deadlineReached(now: r.nextDeadline!)
        #expect(r.state == .master)
        #expect(actions.notifiedStates == [.master])
    }

    @Test("priority 255 address owner takes over at once at startup")
    func ownerTakesOverAtOnce() {
        var r = VirtualRouter(configuration: config(priority: 255))
        let actions = r.start(now: .zero)
        #expect(r.state == .master)
        #expect(actions == [
            .sendAdvertisement(advert(priority: 255)),
            .addVirtualAddresses([vip]),
            .announce([vip], AnnounceSchedule(repeat: 5, secondBurstAfter: .seconds(5))),
            .notify(StateNotification(scope: .instance, name: "VI_1", state: .master, priority: .owner, reason: .addressOwnerStartup)),
        ])
        #expect(r.nextDeadline == at(.seconds(1)))
    }

    @Test("a fault present at startup enters FAULT first")
    func faultAtStartup() {
        var r = VirtualRouter(configuration: config(scripts: [TrackedScript(name: "chk", initFail: true)]))
        let actions = r.start(now: .zero)
        #expect(r.state == .fault)
        #expect(actions.notifiedStates == [.fault])
        #expect(r.nextDeadline == nil)
    }

    @Test("v2 skew time is (256 - priority)/256 seconds")
    func v2Skew() {
        let r = VirtualRouter(configuration: config(priority: 200))
        #expect(r.skewTime == .microseconds(218_750))
        #expect(r.masterDownInterval == .seconds(3) + .microseconds(218_750))
    }

    @Test("v3 skew time is ((256 - priority) x interval)/256 in centiseconds")
    func v3Skew() {
        let r = VirtualRouter(configuration: config(priority: 100, version: .v3, interval: .milliseconds(500)))
        // (156 × 50 cs)/256 = 30.46875 cs
        #expect(r.skewTime == .microseconds(304_687))
        #expect(r.masterDownInterval == .milliseconds(1500) + .microseconds(304_687))
    }

    @Test("v3 backup adopts the master's advertisement interval")
    func v3AdoptsInterval() {
        var r = VirtualRouter(configuration: config(priority: 100, version: .v3, interval: .seconds(1)))
        _ = r.start(now: .zero)
        _ = r.advertisementReceived(advert(priority: 150, version: .v3, interval: .milliseconds(200)), from: ip("192.0.2.9"), now: .zero)
        #expect(r.masterAdvertisementInterval == .milliseconds(200))
        #expect(r.statistics.advertIntervalError == 1)
        #expect(r.nextDeadline == at(.milliseconds(600) + .microseconds(121_875)))
    }

    @Test("v2 drops an advert whose interval differs from ours")
    func v2DropsIntervalMismatch() {
        var r = VirtualRouter(configuration: config(priority: 100))
        _ = r.start(now: .zero)
        let before = r.nextDeadline
        _ = r.advertisementReceived(advert(priority: 150, interval: .seconds(2)), from: ip("192.0.2.9"), now: at(.seconds(1)))
        #expect(r.nextDeadline == before)
        #expect(r.statistics.advertIntervalError == 1)
        #expect(r.statistics.advertReceived == 0)
    }

    @Test("down_timer_adverts multiplies the advertisement interval")
    func downTimerAdverts() {
        var c = config(priority: 100)
        c.downTimerAdverts = 5
        let r = VirtualRouter(configuration: c)
        #expect(r.masterDownInterval == .seconds(5) + .microseconds(609_375))
    }

    @Test("the master-down interval follows the effective priority: a weighted script's failure lengthens the skew")
    func masterDownIntervalFollowsEffectivePriority() {
        var r = VirtualRouter(configuration: config(priority: 200, scripts: [TrackedScript(name: "chk", weight: -50)]))
        _ = r.start(now: .zero)
        _ = r.checkResult(script: "chk", succeeded: true, now: .zero)
        #expect(r.masterDownInterval == .seconds(3) + .microseconds(218_750))
        let now = at(.seconds(2))
        _ = r.checkResult(script: "chk", succeeded: false, now: now)
        #expect(r.effectivePriority == Priority(150))
        // 3 × 1 s + (256 − 150)/256 s, and the next advert restarts the down timer with it.
        #expect(r.masterDownInterval == .seconds(3) + .microseconds(414_062))
        _ = r.advertisementReceived(advert(priority: 180), from: ip("192.0.2.9"), now: now)
        #expect(r.nextDeadline == now + .seconds(3) + .microseconds(414_062))
    }

    @Test("master sends an advert every advertisement interval")
    func masterAdvertises() {
        var (r, t) = master(config(priority: 100))
        #expect(r.nextDeadline == t + .seconds(1))
        let actions = r.deadlineReached(now: t + .seconds(1))
        #expect(actions == [.sendAdvertisement(advert(priority: 100))])
        #expect(r.nextDeadline == t + .seconds(2))
    }

    @Test("garp_master_refresh re-announces while MASTER")
    func refreshAnnounces() {
        var (r, t) = master(config(announcements: AnnouncementSettings(masterRefresh: .milliseconds(2500), masterRefreshRepeat: 2)))
        _ = r.deadlineReached(now: t + .seconds(1))
        _ = r.deadlineReached(now: t + .seconds(2))
        #expect(r.nextDeadline == t + .milliseconds(2500))
        let actions = r.deadlineReached(now: t + .milliseconds(2500))
        #expect(actions == [.announce([vip], AnnounceSchedule(repeat: 2))])
    }
}
