import FailoverLab
import Glibc
import Testing
import Synchronization
import VRRPWire

extension EndToEnd {
    /// Scenarios 5 and 6: the default TCP check, link down, daemon crash and restart.
    @Suite struct NodeFailures {
        static let monitorPort: UInt16 = 8080

        @Test("default TCP check: a listener on the monitor port on every node; stopping it on the master moves the VIP")
        func defaultTCPCheckFollowsTheListener() async throws {
            let listeners = ListenerBox()
            try await Scenario.deployed(["OPENSHIFT_HA_MONITOR_PORT": "\(Self.monitorPort)"], checkScript: false,
                                        prepare: { cluster in
                for node in cluster.nodes { listeners.set(node.name, try await cluster.startListener(on: node, port: Self.monitorPort)) }
            }) { d in
                let config = LabFile.read(d.cluster.node("a").configPath) ?? ""
                #expect(config.contains("/dev/tcp/192.0.2.10/\(Self.monitorPort)"), "the default check targets the node's address:\n\(config)")
                let instance = Scenario.instances[0], vip = Scenario.vips[0]
                let old = d.master(of: instance)
                let stopped = ContinuousClock.now
                await listeners.get(old)?.stop()
                let (view, moved) = await d.waitForView { $0.state(of: instance, on: old) == "FAULT" && $0.masters(of: instance).count == 1 }
                try #require(moved, "\(view.summary)")
                let new = view.masters(of: instance)[0]
                #expect(await d.probe.waitForAnswer(to: vip, by: new, after: stopped) != nil)
            }
        }

        @Test("monitor port 0 disables the default check: no check, every node eligible without a listener")
        func monitorPortZeroDisablesTheCheck() async throws {
            try await Scenario.deployed(["OPENSHIFT_HA_MONITOR_PORT": "0"], checkScript: false) { d in
                let config = LabFile.read(d.cluster.node("a").configPath) ?? ""
                #expect(!config.contains("vrrp_script"), "\(config)")
                #expect(!config.contains("track_script"))
            }
        }

        @Test("master link down: FAULT there, the VIP moves after the master-down interval; link up: it rejoins")
        func masterLinkDownMovesTheVIP() async throws {
            try await Scenario.deployed { d in
                let instance = Scenario.instances[0], vip = Scenario.vips[0]
                let old = d.master(of: instance)
                let down = ContinuousClock.now
                try await d.cluster.setLink(of: d.cluster.node(old), up: false)
                let (view, moved) = await d.waitForView { v in
                    v.state(of: instance, on: old) == "FAULT" && v.masters(of: instance).count == 1
                }
                try #require(moved, "\(view.summary)")
                let new = view.masters(of: instance)[0]
                let answer = try #require(await d.probe.waitForAnswer(to: vip, by: new, after: down))
                print("scenario 6 (link down): \(vip) \(old) → \(new); outage \(d.probe.longestGap(for: vip, from: down, to: answer.receivedAt))")
                try await d.cluster.setLink(of: d.cluster.node(old), up: true)
                let (back, settled) = await d.waitForView {
                    $0.isSettled(nodes: Scenario.nodes, instances: Scenario.instances)
                }
                #expect(settled, "\(back.summary)")
            }
        }

        @Test("master daemon killed (-9): the VIP moves; the restarted daemon removes the stale VIP and rejoins")
        func crashedMasterRestartCleansTheStaleVIP() async throws {
            try await Scenario.deployed { d in
                let instance = Scenario.instances[0], vip = Scenario.vips[0]
                let old = d.master(of: instance)
                let node = d.cluster.node(old)
                let crashed = ContinuousClock.now
                await d.daemon(old).crash()
                // No release: the VIP stays on the dead daemon's node.
                #expect(try await d.cluster.addresses(on: node).contains(vip.description))
                let others = d.daemons.filter { $0.node.name != old }
                // The survivors settle on the higher of them (under load the lower one's
                // down timer may fire first; the higher then preempts it).
                let (view, moved) = await d.cluster.waitForView(of: others) {
                    $0.isSettled(nodes: others.map(\.node.name), instances: Scenario.instances)
                }
                try #require(moved, "\(view.summary)")
                let new = view.masters(of: instance)[0]
                let answer = try #require(await d.probe.waitForAnswer(to: vip, by: new, after: .now))
                print("scenario 6 (kill -9): \(vip) \(old) → \(new); outage \(d.probe.longestGap(for: vip, from: crashed, to: answer.receivedAt))")

                let restarted = ContinuousClock.now
                try await d.daemon(old).start()
                let startedBackup = await d.daemon(old).waitForStatus { $0.instance(instance)?.state == "BACKUP" }
                try #require(startedBackup.satisfied, "\(d.daemon(old).log)")
                // Back as BACKUP (preemption waits for the master-down interval): the stale VIP is gone.
                let held = try await d.cluster.addresses(on: node)
                let stillBackup = try await d.daemon(old).status().instance(instance)?.state == "BACKUP"
                if stillBackup { #expect(!held.contains(vip.description), "stale \(vip) still on \(old): \(held)") }
                #expect(d.daemon(old).log.contains("left behind by a previous run"), "\(d.daemon(old).log)")
                #expect(d.daemon(old).log.contains(vip.description))
                // Until it preempts, the VIP is only on the new master: the client's answers come from it alone.
                let (back, settled) = await d.waitForView {
                    $0.isSettled(nodes: Scenario.nodes, instances: Scenario.instances)
                }
                #expect(settled, "\(back.summary)")
                let returned = try #require(await d.probe.waitForAnswer(to: vip, by: old, after: restarted))
                #expect(Set(d.probe.nodes(answering: vip, from: answer.receivedAt, to: returned.receivedAt - .milliseconds(1)).keys) == [new])
            }
        }
    }
}

/// The listeners per node, filled by `prepare`.
final class ListenerBox: Sendable {
    private let map = Mutex<[String: TCPListener]>([:])
    func set(_ node: String, _ listener: TCPListener) { map.withLock { $0[node] = listener } }
    func get(_ node: String) -> TCPListener? { map.withLock { $0[node] } }
}
