import FailoverTimeline
import Glibc
import Synchronization
import VRRPWire

/// `ipfailover demo`: a 3-node lab in env mode with the deployment's check and
/// notify scripts and a probing client. It shows the cluster settle, breaks the
/// check on the master of the first VIP (touches its maintenance file), shows the
/// VIP move and the notify calls, restores the check, shows the VIP come back
/// (preempt_delay), and tears everything down. Needs root and iproute2 only.
public struct FailoverDemo: Sendable {
    /// The ipfailover binary each node runs.
    public var binary: String
    /// Where the check/notify scripts come from.
    public var scripts: DeploymentScripts.Source
    /// Live table and pauses for a human (false: milestones and a summary only).
    public var interactive: Bool
    /// Where text goes (standard output in the command).
    public var output: @Sendable (String) -> Void
    /// Where the run's timeline picture goes (SVG), written before the teardown; nil: none.
    public var timelinePath: String?
    /// Interactive mode: the lines so far, drawn under the live table.
    private let transcript = Transcript()

    final class Transcript: Sendable {
        let lines = Mutex<[String]>([])
    }

    /// The VIPs: one instance each, with different preferred masters.
    public static let vipRange = "198.51.100.10-11"
    public static let vips: [IPAddress] = [IPAddress("198.51.100.10")!, IPAddress("198.51.100.11")!]
    public static let instances = ["demo_VIP_1", "demo_VIP_2"]
    static let nodes = ["a", "b", "c"]
    static let preemptDelay = 3

    /// The demo did not see what it expected; `reason` says what and the state it saw.
    public struct Failure: Error, CustomStringConvertible {
        public var reason: String
        public var description: String { reason }
        public init(reason: String) { self.reason = reason }
    }

    /// What the demo measured.
    public struct Summary: Sendable {
        /// The master of the first VIP before the check broke, and after.
        public var originalMaster: String
        public var failoverMaster: String
        /// The longest time the client got no answer from the first VIP during the failover.
        public var failoverOutage: Duration
        /// The same while the VIP moved back.
        public var failbackOutage: Duration
        /// Every notify call of the run, ordered by time, as "<node> <timestamp> <args>".
        public var notifications: [String]
        /// The timeline picture written (`timelinePath`).
        public var timeline: String?
    }

    public init(binary: String, scripts: DeploymentScripts.Source, interactive: Bool, timelinePath: String? = nil,
                output: @escaping @Sendable (String) -> Void) {
        self.timelinePath = timelinePath
        self.binary = binary
        self.scripts = scripts
        self.interactive = interactive
        self.output = output
    }

    /// The environment every node gets (plus its own interface, address and scripts).
    public static var settings: [String: String] {
        [
            "OPENSHIFT_HA_CONFIG_NAME": "demo",
            "OPENSHIFT_HA_VIRTUAL_IPS": vipRange,
            "OPENSHIFT_HA_REPLICA_COUNT": "3",
            "OPENSHIFT_HA_CHECK_INTERVAL": "1",
            "OPENSHIFT_HA_PREEMPTION": "preempt_delay \(preemptDelay)",
        ]
    }

    /// Runs the demo; throws `Failure` when the cluster does not behave.
    public func run() async throws -> Summary {
        let missing = LabRequirements.missing(["ip"])
        guard missing.isEmpty else {
            throw Failure(reason: "the demo needs \(missing.joined(separator: " and ")) (it creates network namespaces)")
        }
        output("ipfailover demo: 3 nodes (a, b, c) and a client in network namespaces on one bridge")
        output("  VIPs \(Self.vipRange), env mode: " + Self.settings.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))
        output("  check/notify scripts from \(scripts.description)")
        return try await LabCluster.with(nodes: Self.nodes, scripts: scripts) { cluster in
            try await self.scenario(cluster)
        }
    }

    private func scenario(_ cluster: LabCluster) async throws -> Summary {
        let probe = try await cluster.startProbe(Self.vips)
        let daemons = try await cluster.startEnvironmentMode(binary: binary, Self.settings)
        let display = interactive ? Task { await self.liveTable(cluster, daemons, probe) } : nil
        defer {
            display?.cancel()
            if interactive { output(transcript.lines.withLock { $0 }.joined(separator: "\n")) }
        }
        let instance = Self.instances[0], vip = Self.vips[0]

        step("Deploying: every node starts BACKUP; after the master-down interval the highest priority takes each VIP")
        let settled = try await expect(cluster, daemons, "one MASTER per VIP at the highest priority") {
            $0.isSettled(nodes: Self.nodes, instances: Self.instances)
        }
        let original = settled.masters(of: instance)[0]
        try await expectAnswer(probe, vip, by: original, after: .now - .seconds(60))
        show(settled, probe)
        await pause()

        step("Breaking the check on \(original), the master of \(vip): touch \(cluster.node(original).checkStateFile)")
        let broken = ContinuousClock.now
        try cluster.node(original).failCheck()
        let failed = try await expect(cluster, daemons, "\(original) in FAULT and the next priority MASTER of \(instance)") {
            $0.isSettled(nodes: Self.nodes, instances: Self.instances, faulted: [original])
        }
        let takeover = failed.masters(of: instance)[0]
        let answer = try await expectAnswer(probe, vip, by: takeover, after: broken)
        let failoverOutage = probe.longestGap(for: vip, from: broken, to: answer.receivedAt)
        show(failed, probe)
        say("  \(vip) moved \(original) → \(takeover); the client saw no answer for at most \(milliseconds(failoverOutage))")
        try await showNotifications(cluster, since: broken, waitingFor: [(takeover, "MASTER"), (original, "FAULT")])
        await pause()

        step("Restoring the check on \(original) (rm the file): FAULT → BACKUP, then preempt_delay \(Self.preemptDelay) gives the VIP back")
        let restored = ContinuousClock.now
        cluster.node(original).passCheck()
        let back = try await expect(cluster, daemons, "\(original) MASTER of \(instance) again", timeout: .seconds(30)) {
            $0.masters(of: instance) == [original] && $0.state(of: instance, on: takeover) == "BACKUP"
        }
        let returned = try await expectAnswer(probe, vip, by: original, after: restored)
        let failbackOutage = probe.longestGap(for: vip, from: restored, to: returned.receivedAt + .milliseconds(50))
        show(back, probe)
        try await showNotifications(cluster, since: restored, waitingFor: [(original, "MASTER"), (takeover, "BACKUP")])
        await pause()

        var timeline: String?
        if let timelinePath {
            let title = "ipfailover demo: check broken on \(original), \(vip) moved to \(takeover) and back"
            try await Self.writeTimeline(of: daemons, title: title, to: timelinePath)
            say("  timeline of the run (every node's /status): \(timelinePath)")
            timeline = timelinePath
        }

        step("Tearing down: SIGTERM to every daemon (priority 0, VIPs released), namespaces deleted")
        let all = cluster.nodes.flatMap { node in node.notifications.map { "\(node.name) \($0)" } }
        return Summary(originalMaster: original, failoverMaster: takeover, failoverOutage: failoverOutage,
                       failbackOutage: failbackOutage,
                       notifications: all.sorted { $0.split(separator: " ")[1] < $1.split(separator: " ")[1] },
                       timeline: timeline)
    }

    /// Every daemon's `/status` now, drawn as one timeline (lanes named by node) into `path`.
    static func writeTimeline(of daemons: [LabDaemon], title: String, to path: String) async throws {
        var sources: [TimelineSource] = []
        for daemon in daemons {
            let body = try await daemon.statusDocument()
            sources.append(TimelineSource(label: daemon.node.name,
                                          document: try TimelineDocument.decode(body, source: "\(daemon.node.name) /status")))
        }
        do {
            try LabFile.write(TimelineRenderer(title: title).svg(sources), to: path)
        } catch {
            throw Failure(reason: "cannot write the timeline to \(path): \(error)")
        }
    }

    private func step(_ text: String) {
        say("")
        say("==> \(text)")
    }

    /// A line of the narrative: printed at once, or (interactive) kept for the next redraw.
    private func say(_ line: String) {
        if interactive { transcript.lines.withLock { $0.append(line) } } else { output(line) }
    }

    private func pause() async {
        if interactive { try? await Task.sleep(for: .seconds(3)) }
    }

    private func expect(_ cluster: LabCluster, _ daemons: [LabDaemon], _ what: String, timeout: Duration = .seconds(20),
                        until predicate: (ClusterView) -> Bool) async throws -> ClusterView {
        let (view, ok) = await cluster.waitForView(of: daemons, timeout: timeout, until: predicate)
        try Task.checkCancellation()
        guard ok else {
            let logs = daemons.map { "--- \($0.node.name) log (tail):\n" + String($0.log.suffix(1200)) }.joined(separator: "\n")
            throw Failure(reason: "expected \(what) within \(timeout); saw \(view.summary)\n\(logs)")
        }
        return view
    }

    @discardableResult
    private func expectAnswer(_ probe: VIPProbe, _ vip: IPAddress, by node: String,
                              after instant: ContinuousClock.Instant) async throws -> ProbeAnswer {
        guard let answer = await probe.waitForAnswer(to: vip, by: node, after: instant, timeout: .seconds(10)) else {
            try Task.checkCancellation()
            throw Failure(reason: "the client got no answer from \(node) for \(vip) (last answered by \(probe.node(answering: vip) ?? "nobody"))")
        }
        return answer
    }

    private func showNotifications(_ cluster: LabCluster, since: ContinuousClock.Instant,
                                   waitingFor expected: [(node: String, state: String)]) async throws {
        for (node, state) in expected {
            let (_, ok) = await cluster.lab.waitForFile(cluster.node(node).notifyLog, timeout: .seconds(10)) {
                NotifyRecord.parse($0).contains { $0.name == Self.instances[0] && $0.state == state }
            }
            guard ok else { throw Failure(reason: "no notify call \(Self.instances[0]) \(state) on \(node)") }
        }
        say("  notify calls (mynotifyscript.sh log, per node):")
        for node in cluster.nodes {
            for record in node.notifications.suffix(4) { say("    \(node.name): \(record)") }
        }
    }

    private func show(_ view: ClusterView, _ probe: VIPProbe) {
        if !interactive { for line in Self.table(view, probe) { say(line) } }
    }

    /// The table: one row per node and instance, then who answers each VIP.
    static func table(_ view: ClusterView, _ probe: VIPProbe) -> [String] {
        func pad(_ s: String, _ n: Int) -> String { s + String(repeating: " ", count: max(1, n - s.count)) }
        var lines = ["  " + pad("NODE", 6) + pad("INSTANCE", 12) + pad("STATE", 8) + pad("PRIO", 6) + "VIPS HELD"]
        for node in Self.nodes {
            for instance in Self.instances {
                let i = view.statuses[node]?.instance(instance)
                let held = i?.state == "MASTER" ? (i?.virtualAddresses.joined(separator: " ") ?? "") : ""
                lines.append("  " + pad(node, 6) + pad(instance, 12) + pad(i?.state ?? "?", 8)
                             + pad(i.map { String($0.effectivePriority) } ?? "-", 6) + held)
            }
        }
        for vip in Self.vips {
            lines.append("  client → \(vip): answered by \(probe.node(answering: vip) ?? "nobody")")
        }
        return lines
    }

    private func liveTable(_ cluster: LabCluster, _ daemons: [LabDaemon], _ probe: VIPProbe) async {
        while !Task.isCancelled {
            let view = await cluster.view(of: daemons)
            // Clear the screen, draw the table, then the narrative's last lines.
            let lines = transcript.lines.withLock { $0.suffix(30) }
            output("\u{1B}[H\u{1B}[2J" + (Self.table(view, probe) + [""] + lines).joined(separator: "\n"))
            try? await Task.sleep(for: .milliseconds(250))
        }
    }

    public static func milliseconds(_ d: Duration) -> String {
        let (s, a) = d.components
        return "\(s * 1000 + a / 1_000_000_000_000_000) ms"
    }

    private func milliseconds(_ d: Duration) -> String { Self.milliseconds(d) }
}
