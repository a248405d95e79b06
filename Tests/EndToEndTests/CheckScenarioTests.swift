import FailoverLab
import Testing
import VRRPWire

extension EndToEnd {
    /// Scenarios 2–4: the check script (deploy/kubernetes/scripts/mycheckscript.sh,
    /// failing while the node's maintenance file exists) drives FAULT.
    @Suite struct CheckScript {
        @Test("check fails on the master: FAULT there, the next priority takes the VIP, notify in order on both, the probe follows; passes again: preempt_delay gives the VIP back")
        func masterCheckFailureMovesTheVIPAndPreemptionReturnsIt() async throws {
            try await Scenario.deployed(preemption: "preempt_delay 3") { d in
                let instance = Scenario.instances[0], vip = Scenario.vips[0]
                let old = d.master(of: instance)
                let oldPriority = d.settledView.statuses[old]!.instance(instance)!.basePriority
                let broken = ContinuousClock.now
                try d.cluster.node(old).failCheck()

                // Scenario 2: FAULT on the old master, the next-highest priority takes over
                // (under load the lowest may win the skew race by a few ms; the higher then preempts).
                let (view, moved) = await d.waitForView {
                    $0.isSettled(nodes: Scenario.nodes, instances: Scenario.instances, faulted: [old])
                }
                try #require(moved, "\(view.summary)")
                let new = view.masters(of: instance)[0]
                let expected = d.settledView.statuses.filter { $0.key != old }
                    .max { $0.value.instance(instance)!.effectivePriority < $1.value.instance(instance)!.effectivePriority }!.key
                #expect(new == expected, "\(view.summary)")
                let newPriority = view.statuses[new]!.instance(instance)!.basePriority
                // Every instance of the node goes FAULT (one shared check).
                for other in Scenario.instances {
                    #expect(await d.daemon(old).waitForState(other, "FAULT"), "\(other) on \(old)")
                }
                let oldCalls = await d.waitForNotifications(old, instance) { $0.last == "INSTANCE \(instance) FAULT \(oldPriority)" }
                #expect(oldCalls.suffix(2) == ["INSTANCE \(instance) MASTER \(oldPriority)", "INSTANCE \(instance) FAULT \(oldPriority)"], "\(oldCalls)")
                let newCalls = await d.waitForNotifications(new, instance) { $0.last == "INSTANCE \(instance) MASTER \(newPriority)" }
                #expect(newCalls.suffix(2) == ["INSTANCE \(instance) BACKUP \(newPriority)", "INSTANCE \(instance) MASTER \(newPriority)"], "\(newCalls)")
                let answer = try #require(await d.probe.waitForAnswer(to: vip, by: new, after: broken), "\(vip) not answered by \(new)")
                let gap = d.probe.longestGap(for: vip, from: broken, to: answer.receivedAt)
                print("scenario 2: \(vip) moved \(old) → \(new); client-visible outage \(gap)")
                // Bound: one check interval (1 s) + the takeover after the priority-0 advert (< 1 s).
                #expect(gap < .seconds(3))
                let oldAddresses = try await d.cluster.addresses(on: d.cluster.node(old))
                #expect(!oldAddresses.contains(vip.description))

                // Scenario 3 (preempt_delay): the check passes, FAULT → BACKUP, then MASTER again.
                let restored = ContinuousClock.now
                d.cluster.node(old).passCheck()
                let (back, returned) = await d.waitForView { $0.masters(of: instance) == [old] && $0.state(of: instance, on: new) == "BACKUP" }
                try #require(returned, "\(back.summary)")
                let oldAfter = await d.waitForNotifications(old, instance) { $0.last == "INSTANCE \(instance) MASTER \(oldPriority)" }
                #expect(oldAfter.suffix(3) == ["INSTANCE \(instance) FAULT \(oldPriority)", "INSTANCE \(instance) BACKUP \(oldPriority)",
                                               "INSTANCE \(instance) MASTER \(oldPriority)"], "\(oldAfter)")
                let newAfter = await d.waitForNotifications(new, instance) { $0.last == "INSTANCE \(instance) BACKUP \(newPriority)" }
                #expect(newAfter.last == "INSTANCE \(instance) BACKUP \(newPriority)", "\(newAfter)")
                let backAnswer = try #require(await d.probe.waitForAnswer(to: vip, by: old, after: restored), "\(vip) not answered by \(old) again")
                let failback = d.probe.longestGap(for: vip, from: restored, to: backAnswer.receivedAt)
                print("scenario 3: \(vip) back \(new) → \(old); client-visible outage \(failback)")
                // Preemption hands over within one advertisement exchange. preempt_delay 3
                // puts the handover after the old master's delayed GARP burst
                // (garp_master_delay 5 s from its first mastership): that burst must have
                // been cancelled when it left MASTER, or it pulls the clients to it early.
                #expect(failback < .milliseconds(500))
                // The other VIP stayed with its master throughout (its master is not `old`).
                let otherVIP = Scenario.vips[1], otherMaster = d.master(of: Scenario.instances[1])
                if otherMaster != old {
                    #expect(Set(d.probe.nodes(answering: otherVIP, from: broken).keys) == [otherMaster])
                }
            }
        }

        @Test("check passes again with nopreempt: the node leaves FAULT as BACKUP and the VIP stays where it moved")
        func nopreemptKeepsTheNewMaster() async throws {
            try await Scenario.deployed(preemption: "nopreempt") { d in
                let instance = Scenario.instances[0], vip = Scenario.vips[0]
                let old = d.master(of: instance)
                let broken = ContinuousClock.now
                try d.cluster.node(old).failCheck()
                let (view, moved) = await d.waitForView {
                    $0.state(of: instance, on: old) == "FAULT" && $0.masters(of: instance).count == 1
                }
                try #require(moved, "\(view.summary)")
                let new = view.masters(of: instance)[0]
                #expect(await d.probe.waitForAnswer(to: vip, by: new, after: broken) != nil)

                d.cluster.node(old).passCheck()
                #expect(await d.daemon(old).waitForState(instance, "BACKUP"), "old master did not leave FAULT")
                let backAt = ContinuousClock.now
                // nopreempt: even with the higher priority, the node does not take the VIP
                // back. Observe for three advertisement intervals (the master-down interval).
                let (during, changed) = await d.waitForView(timeout: .seconds(3)) { $0.masters(of: instance) != [new] }
                #expect(!changed, "mastership moved under nopreempt: \(during.summary)")
                #expect(Set(d.probe.nodes(answering: vip, from: backAt).keys) == [new])
                let oldPriority = d.settledView.statuses[old]!.instance(instance)!.basePriority
                #expect(d.notifications(old, instance).last == "INSTANCE \(instance) BACKUP \(oldPriority)")
            }
        }

        @Test("a backup's check fails: it goes FAULT, the VIPs do not move")
        func backupCheckFailureLeavesTheVIPs() async throws {
            try await Scenario.deployed { d in
                let masters = Scenario.instances.map { d.master(of: $0) }
                let backup = try #require(Scenario.nodes.first { !masters.contains($0) })
                let broken = ContinuousClock.now
                try d.cluster.node(backup).failCheck()
                for instance in Scenario.instances {
                    #expect(await d.daemon(backup).waitForState(instance, "FAULT"), "\(instance) on \(backup)")
                    let priority = d.settledView.statuses[backup]!.instance(instance)!.basePriority
                    let calls = await d.waitForNotifications(backup, instance) { $0.last == "INSTANCE \(instance) FAULT \(priority)" }
                    #expect(calls.suffix(2) == ["INSTANCE \(instance) BACKUP \(priority)", "INSTANCE \(instance) FAULT \(priority)"])
                }
                let faulted = ContinuousClock.now
                let view = await d.view()
                #expect(view.isSettled(nodes: Scenario.nodes, instances: Scenario.instances, faulted: [backup], preferred: true), "\(view.summary)")
                for (vip, master) in zip(Scenario.vips, masters) {
                    #expect(view.masters(of: Scenario.instances[Scenario.vips.firstIndex(of: vip)!]) == [master])
                    // Only the master answered, before and after the backup's fault.
                    #expect(Set(d.probe.nodes(answering: vip, from: broken).keys) == [master])
                    let answer = await d.probe.waitForAnswer(to: vip, by: master, after: faulted)
                    #expect(answer != nil)
                    #expect(d.notifications(master, Scenario.instances[Scenario.vips.firstIndex(of: vip)!]).last?.contains("MASTER") == true)
                }
            }
        }
    }
}
