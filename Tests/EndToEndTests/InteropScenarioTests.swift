import FailoverLab
import Glibc
import Testing
import VRRPWire

extension EndToEnd {
    /// Mixed clusters: ipfailover and keepalived 2.2.7 from the same keepalived.conf
    /// (only the priority differs per node), notify through mynotifyscript.sh.
    @Suite(.enabled(if: LabRequirements.shouldRun(["ip", "keepalived"]), "needs root, iproute2 and keepalived"))
    struct Interop {
        static let vip = IPAddress("198.51.100.1")!

        /// The shared keepalived.conf with `priority` for one node.
        static func configuration(_ node: ClusterNode, priority: Int, version: Int) -> String {
            let timing = version == 3 ? "    version 3\n    advert_int 0.1\n" : "    advert_int 1\n"
            let auth = version == 2 ? "    authentication {\n        auth_type PASS\n        auth_pass labpass\n    }\n" : ""
            return """
            global_defs {
                router_id lab_\(node.name)
                enable_script_security
                script_user root
            }
            vrrp_instance VI_1 {
                interface eth0
                virtual_router_id 51
                priority \(priority)
            \(timing)\(auth)    notify "\(node.notifyScript)"
                virtual_ipaddress {
                    198.51.100.1/32 dev eth0
                }
            }

            """
        }

        /// Runs `kinds` (node → (daemon, priority)) and checks election and failover both ways.
        func mixed(_ kinds: [(name: String, keepalived: Bool, priority: Int)], version: Int) async throws {
            let binary = try Scenario.binary()
            try LabRequirements.require(["keepalived"])
            try await LabCluster.with(nodes: kinds.map(\.name), scripts: Scenario.scripts) { cluster in
                let probe = try await cluster.startProbe([Self.vip])
                var daemons: [String: LabDaemon] = [:]
                for k in kinds {
                    let node = cluster.node(k.name)
                    let d = cluster.daemon(on: node, k.keepalived ? .keepalived(renderer: binary) : .ipfailover(binary: binary),
                                           .configuration(Self.configuration(node, priority: k.priority, version: version)))
                    try await d.start()
                    daemons[k.name] = d
                }
                let ordered = kinds.sorted { $0.priority > $1.priority }
                let first = ordered[0], second = ordered[1]
                let all = daemons
                let logs = { all.map { entry in "\(entry.key) (\(entry.value.implementation)): \(entry.value.log.suffix(1500))" }.joined(separator: "\n") }

                // Election by priority: the highest ends MASTER, the others BACKUP (their notify
                // logs say so; one started earlier may be MASTER until the highest preempts it).
                let (_, elected) = await daemons[first.name]!.waitForNotifications(timeout: .seconds(20)) { $0.last?.state == "MASTER" }
                try #require(elected, "\(first.name) never MASTER\n\(logs())")
                for k in ordered.dropFirst() {
                    if k.keepalived {
                        // keepalived forks its notify scripts without waiting for them, so two
                        // changes in quick succession (a start-up MASTER moment, then BACKUP on
                        // the first advert of a higher priority) can be recorded in either
                        // order. Its addresses say what it is: BACKUP holds no VIP.
                        let (records, notified) = await daemons[k.name]!.waitForNotifications { $0.contains { $0.state == "BACKUP" } }
                        #expect(notified, "\(k.name): \(records)")
                        let deadline = ContinuousClock.now + .seconds(15)
                        var holds = true
                        while holds, ContinuousClock.now < deadline {
                            holds = try await cluster.addresses(on: cluster.node(k.name)).contains(Self.vip.description)
                            if holds { try await Task.sleep(for: .milliseconds(50)) }
                        }
                        #expect(!holds, "\(k.name) (keepalived) still holds \(Self.vip): \(records)")
                    } else {
                        let (records, ok) = await daemons[k.name]!.waitForNotifications { $0.last?.state == "BACKUP" }
                        #expect(ok, "\(k.name): \(records)")
                    }
                }
                #expect(await probe.waitForAnswer(to: Self.vip, by: first.name, after: .now - .seconds(60)) != nil)

                // Planned stop of the master (priority 0): the next priority takes over at once.
                let stopped = ContinuousClock.now
                await daemons[first.name]!.stop()
                let (_, tookOver) = await daemons[second.name]!.waitForNotifications { $0.last?.state == "MASTER" }
                try #require(tookOver, "\(second.name) did not take over\n\(logs())")
                let answer = try #require(await probe.waitForAnswer(to: Self.vip, by: second.name, after: stopped))
                print("interop v\(version) \(kinds.map { "\($0.name)=\($0.keepalived ? "keepalived" : "ipfailover")/\($0.priority)" }): release \(first.name) → \(second.name), outage \(probe.longestGap(for: Self.vip, from: stopped, to: answer.receivedAt))")

                // The first comes back and preempts: failover in the other direction.
                let restarted = ContinuousClock.now
                try await daemons[first.name]!.start()
                let (_, back) = await daemons[second.name]!.waitForNotifications(timeout: .seconds(20)) { $0.last?.state == "BACKUP" }
                try #require(back, "\(second.name) did not step down\n\(logs())")
                #expect(await probe.waitForAnswer(to: Self.vip, by: first.name, after: restarted) != nil)
            }
        }

        @Test("2 ipfailover + 1 keepalived (highest), VRRPv2 1 s with PASS auth: election, priority-0 release, preemption")
        func twoIpfailoverOneKeepalived() async throws {
            try await mixed([("a", false, 150), ("b", false, 100), ("c", true, 200)], version: 2)
        }

        @Test("1 ipfailover (highest) + 2 keepalived, VRRPv3 0.1 s: election, priority-0 release, preemption")
        func oneIpfailoverTwoKeepalived() async throws {
            try await mixed([("a", true, 150), ("b", false, 200), ("c", true, 100)], version: 3)
        }
    }
}
