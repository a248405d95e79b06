import FailoverLab
import Glibc
import Testing

/// Split brain on real daemons: a partition makes two masters; the backup that
/// hears both reports it while it lasts, and the higher master reports the lower
/// one when the partition heals.
@Suite(.serialized) struct SplitBrainLabTests {
    /// Drops VRRP from `peer` on `node`'s input (raw sockets see packets after the
    /// input hook), leaving the link up: no FAULT, just silence.
    static func deafen(_ node: Lab.Node, to peer: Lab.Node, in lab: Lab) async throws {
        try await lab.run(in: node.namespace, ["nft", "-f", "-"], input: """
            table inet ipf_partition {
                chain input {
                    type filter hook input priority -300;
                    ip protocol vrrp ip saddr \(peer.ipv4) drop
                }
            }

            """)
    }

    static func heal(_ node: Lab.Node, in lab: Lab) async throws {
        try await lab.run(in: node.namespace, ["nft", "delete", "table", "inet", "ipf_partition"])
    }

    /// `ipfailover status` run in `node`'s namespace against its daemon.
    static func statusTable(_ lab: Lab, on node: Lab.Node) async throws -> String {
        try await lab.run(in: node.namespace, [DaemonHarness.binary, "status", "--status-address",
                                               "127.0.0.1:\(DaemonHarness.statusPort)"]).standardOutput
    }

    /// Polls `node`'s `/status` until `condition` holds for VI_1.
    static func waitFor(_ h: DaemonHarness, _ node: Lab.Node, timeout: Duration = .seconds(20),
                        _ condition: (ObservedStatus.Instance) -> Bool) async -> ObservedStatus.Instance? {
        let deadline = ContinuousClock.now + timeout
        var last: ObservedStatus.Instance?
        while ContinuousClock.now < deadline {
            last = await h.status(of: node)?.instance("VI_1")
            if let last, condition(last) { return last }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return nil
    }

    @Test("split-brain detection: a partition makes two masters, the backup that hears both reports it, and the healed partition is one episode on the higher master, in /status, /metrics, `ipfailover status` and the SIGUSR1 dump")
    func partitionedLabReportsSplitBrain() async throws {
        try LabRequirements.require(["ip", "nft"])
        try await Lab.with(nodes: ["a", "b", "c"]) { lab in
            let h = DaemonHarness(lab: lab)
            let a = lab.node("a"), b = lab.node("b"), c = lab.node("c")
            let (pa, pb) = try await h.startPair()
            try h.writeConfiguration(DaemonHarness.configuration(priority: 50), for: c)
            let pc = try h.start(c)
            #expect(await h.waitForState("BACKUP", on: c), "\(pc.standardError)")

            // a and b cannot hear each other; c hears both.
            try await Self.deafen(a, to: b, in: lab)
            try await Self.deafen(b, to: a, in: lab)
            #expect(await h.waitForState("MASTER", on: b), "\(pb.standardError)")
            let onC = await Self.waitFor(h, c) { $0.splitBrain?.active == true }
            #expect(onC?.splitBrain?.peer == "\(b.ipv4)", "c follows a and hears b as a second master: \(String(describing: onC))")
            #expect(await h.state(of: a) == "MASTER")

            // While it lasts, `ipfailover status` on c marks it, naming b; a hears no
            // other master and its table has nothing extra.
            let onCTable = try await Self.statusTable(lab, on: c)
            #expect(onCTable.contains("\n! VI_1: SPLIT BRAIN: another master, \(b.ipv4), on VRID 51 (episode 1, "), "\(onCTable)")
            let onATable = try await Self.statusTable(lab, on: a)
            #expect(onATable.contains("VI_1") && !onATable.contains("!"), "\(onATable)")
            // And c's SIGUSR1 data dump says so.
            mkdir("\(lab.directory)/c", 0o755)
            kill(pc.pid, SIGUSR1)
            let dump = await lab.waitForFile("\(lab.directory)/c/ipfailover.data") { $0.contains("Split brain = ") }
            #expect(dump.contents.contains("   Split brain = active, peer \(b.ipv4) since +"), "\(dump.contents)")

            try await Self.heal(a, in: lab)
            try await Self.heal(b, in: lab)
            #expect(await h.waitForState("BACKUP", on: b), "\(pb.standardError)")
            let onA = await Self.waitFor(h, a) { ($0.splitBrain?.episodes ?? 0) >= 1 }
            #expect(onA?.splitBrain?.peer == "\(b.ipv4)", "\(String(describing: onA)) \(pa.standardError.suffix(2000))")
            #expect(onA?.state == "MASTER")
            #expect(pa.standardError.contains("split brain with \(b.ipv4)"), "logged with the peer's address")

            let metrics = await h.get("/metrics", on: a) ?? ""
            #expect(metrics.contains(#"ipfailover_split_brain_episodes_total{iname="VI_1",intf="eth0",vrid="51"} 1"#), "\(metrics)")
            // The episode ends once the lower master has been quiet for the quiet period.
            let ended = await Self.waitFor(h, a) { $0.splitBrain?.active == false }
            #expect(ended?.splitBrain?.episodes == 1)
            #expect(await Self.waitFor(h, c) { $0.splitBrain?.active == false }?.splitBrain?.episodes == 1)
        }
    }
}
