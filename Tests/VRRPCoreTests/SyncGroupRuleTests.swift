import Testing
import VRRPCore
import VRRPWire

@Suite("Sync groups")
struct SyncGroupRuleTests {
    func group(scripts: [TrackedScript] = []) -> SyncGroup {
        SyncGroup(name: "G1", members: [
            VirtualRouter(configuration: config("VI_A", priority: 150, scripts: scripts, vrid: 51)),
            VirtualRouter(configuration: config("VI_B", priority: 150, vrid: 52)),
        ])
    }

    func notifies(_ actions: [TaggedAction]) -> [String] {
        actions.compactMap { a in
            guard case let .notify(n) = a.action else { return nil }
            return "\(n.scope.rawValue) \(n.name) \(n.state.rawValue) \(n.priority)"
        }
    }

    @Test("sync group: a member going MASTER pulls the others, then one GROUP notify with priority 0")
    func masterPullsMembers() {
        var g = group()
        #expect(notifies(g.start(now: .zero)) == ["INSTANCE VI_A BACKUP 150", "INSTANCE VI_B BACKUP 150", "GROUP G1 BACKUP 0"])
        // B hears a master, A does not: A's timer fires and B follows at once.
        _ = g.advertisementReceived(advert(priority: 200, vrid: 52), from: ip("192.0.2.9"), instance: "VI_B", now: at(.seconds(1)))
        let actions = g.deadlineReached(now: g.nextDeadline!)
        #expect(notifies(actions) == ["INSTANCE VI_A MASTER 150", "INSTANCE VI_B MASTER 150", "GROUP G1 MASTER 0"])
        #expect(g.members.allSatisfy { $0.state == .master })
    }

    @Test("sync group: a member goes MASTER only when all members can")
    func heldWhileMemberFaulty() {
        var g = group(scripts: [TrackedScript(name: "chk", initFail: true)])
        #expect(notifies(g.start(now: .zero)) == ["INSTANCE VI_A FAULT 150", "INSTANCE VI_B FAULT 150", "GROUP G1 FAULT 0"])
        #expect(g.nextDeadline == nil)
        let back = g.checkResult(script: "chk", succeeded: true, now: at(.seconds(1)))
        #expect(notifies(back) == ["INSTANCE VI_A BACKUP 150", "INSTANCE VI_B BACKUP 150", "GROUP G1 BACKUP 0"])
    }

    @Test("sync group: one member in FAULT pulls the others, masters release first")
    func faultPullsMembers() {
        var g = group(scripts: [TrackedScript(name: "chk")])
        _ = g.start(now: .zero)
        _ = g.checkResult(script: "chk", succeeded: true, now: .zero)
        _ = g.deadlineReached(now: g.nextDeadline!)
        #expect(g.state == .master)
        let actions = g.checkResult(script: "chk", succeeded: false, now: at(.seconds(5)))
        let released = actions.filter { if case let .sendAdvertisement(a) = $0.action { a.priority.isRelease } else { false } }
        #expect(released.map(\.instance) == ["VI_A", "VI_B"])
        #expect(notifies(actions) == ["INSTANCE VI_A FAULT 150", "INSTANCE VI_B FAULT 150", "GROUP G1 FAULT 0"])
    }

    @Test("sync group: a member stepping down to BACKUP pulls the masters")
    func backupPullsMasters() {
        var g = group()
        _ = g.start(now: .zero)
        _ = g.deadlineReached(now: g.nextDeadline!)
        #expect(g.state == .master)
        let actions = g.advertisementReceived(advert(priority: 200, vrid: 51), from: ip("192.0.2.9"), instance: "VI_A", now: at(.seconds(10)))
        #expect(notifies(actions) == ["INSTANCE VI_A BACKUP 150", "INSTANCE VI_B BACKUP 150", "GROUP G1 BACKUP 0"])
        #expect(g.members.allSatisfy { $0.state == .backup })
    }

    @Test("sync group shutdown notifies STOP for members and the group")
    func groupShutdown() {
        var g = group()
        _ = g.start(now: .zero)
        #expect(notifies(g.shutdown(now: .zero)) == ["INSTANCE VI_A STOP 150", "INSTANCE VI_B STOP 150", "GROUP G1 STOP 0"])
    }
}
