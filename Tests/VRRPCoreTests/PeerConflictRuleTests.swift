import Testing
import VRRPCore
import VRRPWire

/// Split brain and VRID collisions: facts the core reports beside the RFC 5798
/// behaviour, which they never change.
@Suite("Split brain and VRID collisions")
struct PeerConflictRuleTests {
    static let lower = ip("192.0.2.7")
    static let higher = ip("192.0.2.9")

    var conflicts: (([VirtualRouterAction]) -> [PeerConflict]) {
        { $0.compactMap { if case let .peerConflict(c) = $0 { c } else { nil } } }
    }

    @Test("split-brain rule: a MASTER for over one Master_Down_Interval that hears a lower-priority master reports concurrentMaster, and still only asserts itself")
    func masterHearingALowerMasterReportsIt() {
        var (m, t) = master(config(priority: 150))
        let later = t + m.masterDownInterval + .seconds(1)
        let actions = m.advertisementReceived(advert(priority: 100), from: Self.lower, now: later)
        #expect(conflicts(actions) == [.concurrentMaster(peer: Self.lower, priority: Priority(100))])
        #expect(m.state == .master)
        #expect(actions.sentPriorities == [150], "RFC 5798 §6.4.3 behaviour is unchanged")
    }

    @Test("split-brain rule: a preemption's farewell advert, within one Master_Down_Interval of taking over, is not a split brain")
    func farewellAfterPreemptionIsNotASplitBrain() {
        var (m, t) = master(config(priority: 150))
        let actions = m.advertisementReceived(advert(priority: 100), from: Self.lower, now: t + .milliseconds(5))
        #expect(conflicts(actions).isEmpty)
        #expect(actions.sentPriorities == [150])
    }

    @Test("split-brain rule: a priority-0 release from another router is not a split brain")
    func releaseIsNotASplitBrain() {
        var (m, t) = master(config(priority: 150))
        let actions = m.advertisementReceived(advert(priority: 0), from: Self.lower, now: t + .seconds(60))
        #expect(conflicts(actions).isEmpty)
    }

    @Test("split-brain rule: a BACKUP that hears a second, lower master while its master is heard reports secondMaster")
    func backupHearingTwoMastersReportsIt() {
        var b = backupHearing(config(priority: 50, address: "192.0.2.1"), masterPriority: 150, from: "192.0.2.9")
        let actions = b.advertisementReceived(advert(priority: 100), from: Self.lower, now: at(.milliseconds(500)))
        #expect(conflicts(actions) == [.secondMaster(peer: Self.lower, priority: Priority(100), master: Self.higher)])
    }

    @Test("split-brain rule: a BACKUP that sees its master preempted by a higher one, then the old master's farewell, reports nothing")
    func backupSeeingAPreemptionReportsNothing() {
        var b = backupHearing(config(priority: 50), masterPriority: 100, from: "192.0.2.7")
        let preempt = b.advertisementReceived(advert(priority: 150), from: Self.higher, now: at(.milliseconds(500)))
        let farewell = b.advertisementReceived(advert(priority: 100), from: Self.lower, now: at(.milliseconds(501)))
        #expect(conflicts(preempt).isEmpty)
        #expect(conflicts(farewell).isEmpty)
    }

    @Test("split-brain rule: a BACKUP whose master went silent for a Master_Down_Interval takes the next sender as its master, not as a second one")
    func backupAfterSilenceReportsNothing() {
        var b = backupHearing(config(priority: 50), masterPriority: 150, from: "192.0.2.9")
        let late = at(b.masterDownInterval + .seconds(1))
        #expect(conflicts(b.advertisementReceived(advert(priority: 100), from: Self.lower, now: late)).isEmpty)
    }

    @Test("VRID-collision rule: an advert for our VRID with another address list is reported in BACKUP and in MASTER, and still processed as before",
          arguments: [false, true])
    func anotherAddressListIsAVRIDCollision(asMaster: Bool) {
        var a = advert(priority: 200)
        a.addresses = [ip("203.0.113.5")]
        var r: VirtualRouter
        var t: VRRPInstant
        if asMaster { (r, t) = master(config(priority: 100)) } else { (r, t) = (backupHearing(config(priority: 100), masterPriority: 150), at(.seconds(1))) }
        let actions = r.advertisementReceived(a, from: Self.higher, now: t + .milliseconds(10))
        #expect(conflicts(actions) == [.addressListMismatch(peer: Self.higher)])
        #expect(r.statistics.addressListError == 1)
        #expect(r.state == .backup, "same count, so the advert is processed as keepalived does")
    }
}
