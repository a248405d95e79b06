import FailoverLab
import Testing
import VRRPWire

extension EndToEnd {
    /// Scenario 1: deploy.
    @Suite struct Deploy {
        @Test("deploy: one MASTER per VIP at the highest priority, the others BACKUP, notify INSTANCE <name> MASTER|BACKUP <prio>")
        func deployElectsOneMasterPerVIP() async throws {
            try await Scenario.deployed { d in
                let view = d.settledView
                for (vip, instance) in zip(Scenario.vips, Scenario.instances) {
                    let master = d.master(of: instance)
                    #expect(master == view.preferredMaster(of: instance), "\(view.summary)")
                    for node in Scenario.nodes {
                        let priority = view.statuses[node]!.instance(instance)!.basePriority
                        let state = node == master ? "MASTER" : "BACKUP"
                        // A node that was MASTER until the preferred one preempted it ends with BACKUP.
                        let calls = await d.waitForNotifications(node, instance) { $0.last == "INSTANCE \(instance) \(state) \(priority)" }
                        #expect(calls.last == "INSTANCE \(instance) \(state) \(priority)", "\(node): \(calls)")
                        let held = try await d.cluster.addresses(on: d.cluster.node(node)).contains(vip.description)
                        #expect(held == (node == master), "\(vip) on \(node)")
                    }
                    #expect(d.probe.node(answering: vip) == master)
                }
                // Master spreading: the two VIPs have different preferred masters.
                #expect(d.master(of: Scenario.instances[0]) != d.master(of: Scenario.instances[1]))
            }
        }
    }
}
