import Testing
import VRRPCore
import VRRPWire

@Suite("Election, preemption and release")
struct ElectionRuleTests {
    @Test("backup takes over after the master-down interval without adverts")
    func takeoverAfterSilence() {
        var r = backupHearing(config(priority: 100), masterPriority: 150)
        let down = at(.seconds(3) + .microseconds(609_375))
        #expect(r.nextDeadline == down)
        let actions = r.deadlineReached(now: down)
        #expect(r.state == .master)
        #expect(actions == [
            .sendAdvertisement(advert(priority: 100)),
            .addVirtualAddresses([vip]),
            .announce([vip], AnnounceSchedule(repeat: 5, secondBurstAfter: .seconds(5))),
            .notify(StateNotification(scope: .instance, name: "VI_1", state: .master, priority: Priority(100), reason: .masterDownTimerExpired)),
        ])
    }

    @Test("keepalived 2.2.7 address-count rule: an advert whose Count differs from our number of VIPs is dropped and counted as addr_list_err, at any priority, in any state",
          arguments: [[] as [IPAddress], [vip, ip("198.51.100.11")]], [UInt8(200), 255, 0])
    func advertWithAnotherAddressCountIsDropped(addresses: [IPAddress], priority: UInt8) {
        // A master: a Count=0 (or Count=2) advert of higher priority does not make it step down.
        var (m, t) = master(config(priority: 100))
        var a = advert(priority: priority)
        a.addresses = addresses
        // Dropped, but reported: another cluster may be on our VRID (PeerConflictRuleTests).
        #expect(m.advertisementReceived(a, from: ip("192.0.2.9"), now: t + .milliseconds(10)) == [.peerConflict(.addressListMismatch(peer: ip("192.0.2.9")))])
        #expect(m.state == .master)
        #expect(m.statistics.addressListError == 1)
        #expect(m.statistics.advertReceived == 0)
        // A backup: it neither stands by for it (down timer not reset) nor takes over early on priority 0.
        var b = backupHearing(config(priority: 100), masterPriority: 150)
        let down = b.nextDeadline
        #expect(b.advertisementReceived(a, from: ip("192.0.2.9"), now: at(.seconds(1))) == [.peerConflict(.addressListMismatch(peer: ip("192.0.2.9")))])
        #expect(b.nextDeadline == down)
        #expect(b.statistics.addressListError == 1)
    }

    @Test("backup takes over after skew time on priority 0")
    func skewTakeoverOnRelease() {
        var r = backupHearing(config(priority: 100), masterPriority: 150)
        let t = at(.seconds(1))
        #expect(r.advertisementReceived(advert(priority: 0), from: ip("192.0.2.9"), now: t).isEmpty)
        #expect(r.nextDeadline == t + .microseconds(609_375))
        #expect(r.statistics.priorityZeroReceived == 1)
        let actions = r.deadlineReached(now: t + .microseconds(609_375))
        #expect(actions.notifications.first?.reason == .masterReleased(by: ip("192.0.2.9")))
        #expect(r.state == .master)
    }

    @Test("preemptive higher-priority backup discards lower adverts and takes over after the down interval")
    func preemptDiscardsLowerAdverts() {
        var r = backupHearing(config(priority: 200), masterPriority: 100)
        let first = r.nextDeadline!
        #expect(r.advertisementReceived(advert(priority: 100), from: ip("192.0.2.9"), now: at(.seconds(1))).isEmpty)
        #expect(r.nextDeadline == first)
    }

    @Test("nopreempt keeps the incumbent")
    func nopreemptKeepsIncumbent() {
        var r = backupHearing(config(priority: 200, nopreempt: true), masterPriority: 100)
        for s in 1...10 {
            _ = r.advertisementReceived(advert(priority: 100), from: ip("192.0.2.9"), now: at(.seconds(Int64(s))))
        }
        #expect(r.state == .backup)
        #expect(r.nextDeadline == at(.seconds(10)) + r.masterDownInterval)
    }

    @Test("preempt_delay holds a higher-priority backup until the delay expires")
    func preemptDelayHolds() {
        var r = VirtualRouter(configuration: config(priority: 200, preemptDelay: .seconds(5)))
        _ = r.start(now: .zero)
        // The delay starts at the first lower-priority advert (t = 2 s): accepted until 7 s.
        for s in 2...9 {
            _ = r.advertisementReceived(advert(priority: 100), from: ip("192.0.2.9"), now: at(.seconds(Int64(s))))
            #expect(r.state == .backup)
        }
        // Last accepted advert at 6 s; adverts at 7, 8, 9 s are discarded.
        #expect(r.nextDeadline == at(.seconds(6)) + r.masterDownInterval)
        _ = r.deadlineReached(now: r.nextDeadline!)
        #expect(r.state == .master)
    }

    @Test("a higher-priority master stops the preempt delay; the next lower advert starts it afresh")
    func preemptDelayRestarts() {
        var r = VirtualRouter(configuration: config(priority: 200, preemptDelay: .seconds(5)))
        _ = r.start(now: .zero)
        _ = r.advertisementReceived(advert(priority: 100), from: ip("192.0.2.9"), now: at(.seconds(2)))  // delay until 7 s
        _ = r.advertisementReceived(advert(priority: 250), from: ip("192.0.2.8"), now: at(.seconds(4)))  // stopped
        _ = r.advertisementReceived(advert(priority: 100), from: ip("192.0.2.9"), now: at(.seconds(5)))  // until 10 s
        _ = r.advertisementReceived(advert(priority: 100), from: ip("192.0.2.9"), now: at(.seconds(9)))
        #expect(r.nextDeadline == at(.seconds(9)) + r.masterDownInterval)
        _ = r.advertisementReceived(advert(priority: 100), from: ip("192.0.2.9"), now: at(.seconds(10)))
        #expect(r.nextDeadline == at(.seconds(9)) + r.masterDownInterval)
    }

    @Test("preempt_delay starts at the first lower-priority advert: an equal-priority master does not start it")
    func preemptDelayStartsOnlyOnALowerAdvert() {
        var r = VirtualRouter(configuration: config(priority: 100, preemptDelay: .seconds(300)))
        _ = r.start(now: .zero)
        // An equal-priority master (accepted: a backup never preempts an equal) for 400 s.
        for s in 1...400 {
            _ = r.advertisementReceived(advert(priority: 100), from: ip("192.0.2.9"), now: at(.seconds(Int64(s))))
        }
        // Its priority drops (a tracker): the delay starts now, 300 s before we preempt.
        _ = r.advertisementReceived(advert(priority: 90), from: ip("192.0.2.9"), now: at(.seconds(401)))
        #expect(r.nextDeadline == at(.seconds(401)) + r.masterDownInterval, "the lower advert was discarded")
        _ = r.advertisementReceived(advert(priority: 90), from: ip("192.0.2.9"), now: at(.seconds(700)))
        #expect(r.nextDeadline == at(.seconds(700)) + r.masterDownInterval)
        #expect(r.state == .backup)
        _ = r.advertisementReceived(advert(priority: 90), from: ip("192.0.2.9"), now: at(.seconds(701)))
        #expect(r.nextDeadline == at(.seconds(700)) + r.masterDownInterval, "delay over: discarded")
    }

    @Test("master steps down on higher priority")
    func masterStepsDown() {
        var (r, t) = master(config(priority: 100))
        let now = t + .milliseconds(100)
        let actions = r.advertisementReceived(advert(priority: 150), from: ip("192.0.2.9"), now: now)
        #expect(r.state == .backup)
        #expect(actions == [
            .sendAdvertisement(advert(priority: 100)),
            .removeVirtualAddresses([vip]),
            .notify(StateNotification(scope: .instance, name: "VI_1", state: .backup, priority: Priority(100),
                                      reason: .preemptedBy(ip("192.0.2.9"), priority: Priority(150)))),
        ])
        #expect(r.nextDeadline == now + r.masterDownInterval)
        #expect(r.status.masterAddress == ip("192.0.2.9"))
    }

    @Test("equal priority: higher address wins")
    func equalPriorityHigherAddressWins() {
        var (low, t) = master(config(priority: 100, address: "192.0.2.5"))
        let stepDown = low.advertisementReceived(advert(priority: 100), from: ip("192.0.2.9"), now: t)
        #expect(low.state == .backup)
        #expect(stepDown.notifiedStates == [.backup])

        var (high, t2) = master(config(priority: 100, address: "192.0.2.9"))
        let answer = high.advertisementReceived(advert(priority: 100), from: ip("192.0.2.5"), now: t2)
        #expect(high.state == .master)
        #expect(answer.sentPriorities == [100])
    }

    @Test("master answers a lower-priority advert with an immediate advert and an announcement")
    func masterAnswersLower() {
        var (r, t) = master(config(priority: 150))
        let now = t + .milliseconds(300)
        let actions = r.advertisementReceived(advert(priority: 100), from: ip("192.0.2.9"), now: now)
        #expect(actions == [.sendAdvertisement(advert(priority: 150)),
                            .announce([vip], AnnounceSchedule(repeat: 5, secondBurstAfter: r.masterDownInterval))])
        #expect(r.nextDeadline == now + .seconds(1))
    }

    /// The other master announced the addresses too, and goes on until it hears us; its
    /// farewell advert (the sign it yielded) can be lost. One Master_Down_Interval
    /// later it has heard our adverts or is held by the loss: the client's last word
    /// must be ours either way.
    @Test("a master that hears a lower-priority advert announces its addresses again one Master_Down_Interval later")
    func masterAnnouncesAgainAfterLowerPriorityMaster() {
        var (r, t) = master(config(priority: 150))
        #expect(r.masterDownInterval == .seconds(3) + .microseconds(414_062))
        let heard = r.advertisementReceived(advert(priority: 100), from: ip("192.0.2.9"), now: t + .milliseconds(300))
        #expect(heard.contains(.announce([vip], AnnounceSchedule(repeat: 5, secondBurstAfter: .seconds(3) + .microseconds(414_062)))))
        // Priority 0 from another master is the same episode ending: the same schedule.
        let released = r.advertisementReceived(advert(priority: 0), from: ip("192.0.2.9"), now: t + .milliseconds(400))
        #expect(released.contains(.announce([vip], AnnounceSchedule(repeat: 5, secondBurstAfter: r.masterDownInterval))))
        #expect(r.state == .master)
    }

    @Test("master answers priority 0 with an immediate advert")
    func masterAnswersRelease() {
        var (r, t) = master(config(priority: 150, announcements: AnnouncementSettings(lowerPriorityRepeat: 0)))
        let actions = r.advertisementReceived(advert(priority: 0), from: ip("192.0.2.9"), now: t)
        #expect(actions == [.sendAdvertisement(advert(priority: 150))])
        #expect(r.state == .master)
    }

    @Test("shutdown of a master sends priority 0, removes VIPs, then notifies STOP")
    func masterShutdown() {
        var (r, t) = master(config(priority: 150))
        let actions = r.shutdown(now: t)
        #expect(actions == [
            .sendAdvertisement(advert(priority: 0)),
            .removeVirtualAddresses([vip]),
            .notify(StateNotification(scope: .instance, name: "VI_1", state: .stop, priority: Priority(150), reason: .shutdown)),
        ])
        #expect(r.state == .initialize)
        #expect(r.nextDeadline == nil)
        #expect(r.statistics.priorityZeroSent == 1)
    }

    @Test("shutdown of a backup only notifies STOP")
    func backupShutdown() {
        var r = backupHearing(config(), masterPriority: 150)
        #expect(r.shutdown(now: .zero).notifiedStates == [.stop])
        #expect(r.shutdown(now: .zero).isEmpty)
    }

    @Test("v2 password mismatch is counted and dropped")
    func authMismatch() {
        var c = config()
        c.authentication = .password("secret")
        var r = VirtualRouter(configuration: c)
        _ = r.start(now: .zero)
        var a = advert(priority: 0)
        a.authentication = .password("wrong")
        _ = r.advertisementReceived(a, from: ip("192.0.2.9"), now: .zero)
        a.authentication = .none
        _ = r.advertisementReceived(a, from: ip("192.0.2.9"), now: .zero)
        #expect(r.statistics.authFailure == 1)
        #expect(r.statistics.authTypeMismatch == 1)
        #expect(r.statistics.priorityZeroReceived == 0)
    }

    @Test("an advert for another VRID is not processed")
    func foreignVRID() {
        var r = VirtualRouter(configuration: config())
        _ = r.start(now: .zero)
        _ = r.advertisementReceived(advert(priority: 0, vrid: 52), from: ip("192.0.2.9"), now: .zero)
        #expect(r.statistics.foreignAdvertisement == 1)
        #expect(r.statistics.advertReceived == 0)
    }

    @Test("an advert of the other VRRP version for our VRID is dropped and counted as vers_err")
    func otherVersionIsCountedAsVersErr() {
        var r = VirtualRouter(configuration: config())
        _ = r.start(now: .zero)
        let before = r.nextDeadline
        _ = r.advertisementReceived(advert(priority: 0, version: .v3, interval: .seconds(1)), from: ip("192.0.2.9"), now: at(.seconds(1)))
        #expect(r.statistics.versionError == 1)
        #expect(r.statistics.advertReceived == 0)
        #expect(r.nextDeadline == before, "not processed: the release did not shorten the down timer")
        #expect(r.statistics.keepalivedCounters.contains { $0.name == "vers_err" && $0.value == 1 })
    }

    @Test("statistics count become_master, release_master and adverts")
    func statistics() {
        var (r, t) = master(config(priority: 100))
        _ = r.advertisementReceived(advert(priority: 200), from: ip("192.0.2.9"), now: t)
        let s = r.statistics
        #expect(s.becomeMaster == 1)
        #expect(s.releaseMaster == 1)
        #expect(s.advertSent == 2)
        #expect(s.advertReceived == 1)
        #expect(s.keepalivedCounters.first { $0.name == "become_master" }?.value == 1)
    }
}
