import FailoverLab
import Glibc
import Testing
import VRRPWire

extension EndToEnd {
    /// Scenarios 7 and 8: partition and heal, VIP groups, IPv6 VIPs, unicast peers.
    @Suite struct Topology {
        @Test("partition and heal: the cut-off master keeps its VIP, the rest elect another; after healing exactly one master per VIP and the client reaches it")
        func partitionAndHeal() async throws {
            try await Scenario.deployed { d in
                let instance = Scenario.instances[0], vip = Scenario.vips[0]
                let old = d.master(of: instance)
                try await d.cluster.setPartitioned(d.cluster.node(old), true)
                let (split, elected) = await d.waitForView { $0.masters(of: instance).count == 2 }
                try #require(elected, "no second master during the partition: \(split.summary)")
                let other = split.masters(of: instance).first { $0 != old }!
                #expect(await d.probe.waitForAnswer(to: vip, by: other) != nil, "the client (on the majority side) reaches the new master")

                // Capture ARP at the client to see the winner announce itself after healing:
                // one line a frame, each printed as it arrives (without --immediate-mode
                // the kernel holds frames for up to a second, and an interrupted capture
                // loses what it still held).
                try LabRequirements.require(["tcpdump"])
                let capture = try d.cluster.lab.spawn(in: d.cluster.client.namespace,
                                                      ["tcpdump", "-i", "eth0", "-n", "-e", "-l", "--immediate-mode", "arp"],
                                                      logName: "client-arp")
                let listening = await d.cluster.lab.waitForFile(capture.standardErrorPath) { $0.contains("listening on") }
                try #require(listening.satisfied, "tcpdump: \(listening.contents)")
                let mac = try await d.cluster.run(on: d.cluster.node(old), ["ip", "-brief", "link", "show", "dev", "eth0"])
                    .standardOutput.split(separator: " ", omittingEmptySubsequences: true)[2]

                let healed = ContinuousClock.now
                try await d.cluster.setPartitioned(d.cluster.node(old), false)
                let (view, settled) = await d.waitForView {
                    $0.isSettled(nodes: Scenario.nodes, instances: Scenario.instances)
                }
                try #require(settled, "\(view.summary)\n\(d.transitions())")
                #expect(view.masters(of: instance) == [old], "the higher priority keeps mastership")
                let answer = try #require(await d.probe.waitForAnswer(to: vip, by: old, after: healed),
                                          "the client never reached \(old) again (no GARP after healing?)")
                let gap = d.probe.longestGap(for: vip, from: healed, to: answer.receivedAt)
                print("scenario 7: healed; \(vip) answered by \(old) after \(answer.receivedAt - healed), longest gap \(gap)")
                // Once the client reached the winner, nobody else answers.
                try await Task.sleep(for: .milliseconds(200))
                #expect(Set(d.probe.nodes(answering: vip, from: answer.receivedAt).keys) == [old])
                // keepalived's (and our) GARP carries target MAC ff:ff:ff:ff:ff:ff, which
                // tcpdump prints: "Request who-has VIP (ff:ff:ff:ff:ff:ff) tell VIP".
                func gratuitous(_ listing: String) -> [Substring] {
                    listing.split(separator: "\n").filter {
                        $0.contains(" \(mac) >") ? ($0.contains("who-has \(vip) ") && $0.contains("tell \(vip),")) || $0.contains("Reply \(vip) is-at") : false
                    }
                }
                let seen = await d.cluster.lab.waitForFile(capture.standardOutputPath) { !gratuitous($0).isEmpty }
                await capture.stop(signal: SIGINT)
                let arp = seen.contents, garps = gratuitous(arp)
                print("scenario 7: \(garps.count) gratuitous ARPs for \(vip) from \(old) after healing")
                #expect(!garps.isEmpty, "no gratuitous ARP for \(vip) from \(old) (\(mac)) after healing:\n\(arp)")
            }
        }

        static let groupVIPs = (1...20).map { IPAddress("198.51.100.\($0)")! }

        @Test("VIP groups: 20 VIPs in 4 groups move group-wise when the check fails")
        func vipGroupsMoveTogether() async throws {
            let instances = (1...4).map { "lab_VIP_\($0)" }
            try await Scenario.deployed(["OPENSHIFT_HA_VIRTUAL_IPS": "198.51.100.1-20", "OPENSHIFT_HA_VIP_GROUPS": "4"],
                                        vips: Self.groupVIPs, instances: instances) { d in
                let group = d.settledView.statuses["a"]!.instance(instances[0])!.virtualAddresses.map { String($0.split(separator: "/")[0]) }
                #expect(group == (1...5).map { "198.51.100.\($0)" })
                let old = d.master(of: instances[0])
                let broken = ContinuousClock.now
                try d.cluster.node(old).failCheck()
                let (view, moved) = await d.waitForView { $0.state(of: instances[0], on: old) == "FAULT" && $0.masters(of: instances[0]).count == 1 }
                try #require(moved, "\(view.summary)")
                let new = view.masters(of: instances[0])[0]
                for vip in Self.groupVIPs.prefix(5) {
                    #expect(await d.probe.waitForAnswer(to: vip, by: new, after: broken) != nil, "\(vip)")
                }
                let held = try await d.cluster.addresses(on: d.cluster.node(new))
                #expect(Set((1...5).map { "198.51.100.\($0)" }).isSubset(of: Set(held)), "\(held)")
            }
        }

        @Test("IPv6 VIPs (VRRPv3) fail over too")
        func ipv6VIPsFailOver() async throws {
            let vips = [IPAddress("2001:db8:100::1")!, IPAddress("2001:db8:100::2")!]
            try await Scenario.deployed(["OPENSHIFT_HA_VIRTUAL_IPS": "2001:db8:100::1-2"], vips: vips, instances: Scenario.instances) { d in
                let instance = Scenario.instances[0]
                let old = d.master(of: instance)
                let broken = ContinuousClock.now
                try d.cluster.node(old).failCheck()
                let (view, moved) = await d.waitForView { $0.state(of: instance, on: old) == "FAULT" && $0.masters(of: instance).count == 1 }
                try #require(moved, "\(view.summary)")
                let new = view.masters(of: instance)[0]
                #expect(await d.probe.waitForAnswer(to: vips[0], by: new, after: broken) != nil)
            }
        }

        @Test("unicast peers work with multicast dropped on the segment")
        func unicastWithMulticastBlocked() async throws {
            try await Scenario.deployed(["OPENSHIFT_HA_UNICAST_PEERS": "192.0.2.10,192.0.2.11,192.0.2.12"], prepare: { cluster in
                try await cluster.bridgeFirewall("""
                    table bridge ipf_lab {
                        chain forward {
                            type filter hook forward priority 0; policy accept;
                            ip daddr 224.0.0.18 counter drop
                        }
                    }
                    """)
            }) { d in
                let config = LabFile.read(d.cluster.node("a").configPath) ?? ""
                #expect(config.contains("unicast_peer"), "\(config)")
                let instance = Scenario.instances[0], vip = Scenario.vips[0]
                let old = d.master(of: instance)
                let broken = ContinuousClock.now
                try d.cluster.node(old).failCheck()
                let (view, moved) = await d.waitForView { $0.state(of: instance, on: old) == "FAULT" && $0.masters(of: instance).count == 1 }
                try #require(moved, "\(view.summary)")
                #expect(await d.probe.waitForAnswer(to: vip, by: view.masters(of: instance)[0], after: broken) != nil)
                let rules = try await d.cluster.lab.run(in: d.cluster.lab.bridgeNamespace, ["nft", "list", "table", "bridge", "ipf_lab"]).standardOutput
                #expect(rules.contains("packets 0 "), "unicast mode sent multicast VRRP: \(rules)")
            }
        }
    }
}
