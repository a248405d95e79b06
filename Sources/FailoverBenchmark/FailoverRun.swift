import FailoverLab
import Glibc
import VRRPWire

/// How the master goes away.
enum FailoverEvent: String, Sendable, CaseIterable {
    /// `ip link set eth0 down` in the master's namespace.
    case linkDown = "link down"
    /// kill -9 of the master's daemon (its whole process group).
    case kill9 = "kill -9"
    /// SIGTERM: planned stop, priority-0 release.
    case sigterm = "SIGTERM"
    /// The master's tracked check script (weight 0) starts failing.
    case checkFailure = "check failure"
}

/// Which daemon runs on every node.
enum Daemon: String, Sendable, CaseIterable {
    case ipfailover, keepalived
}

/// One measured failover: the probe's outage and the wire takeover.
struct FailoverSample: Sendable {
    /// Longest time the client got no answer for the VIP, seconds.
    var outage: Double
    /// From the event to the new master's first answer at the client, seconds.
    var recovery: Double
    var wire: WireTakeover?
}

/// Builds a 2-node cluster (`a` master priority 200, `b` backup priority 100), runs
/// `daemon` on both from the same keepalived.conf, captures the bridge, probes the VIP
/// every 2 ms from the client, triggers `event` on `a` and measures.
struct FailoverRun: Sendable {
    var setup: BenchmarkSetup
    var event: FailoverEvent
    var daemon: Daemon
    /// Check script interval for `checkFailure`, seconds.
    var checkInterval: Double = 1
    var binary: String
    var port: UInt16

    func run() async throws -> FailoverSample {
        try await LabCluster.with(nodes: ["a", "b"], responderPort: port) { cluster in
            let a = cluster.node("a"), b = cluster.node("b")
            let vip = BenchmarkSetup.vip(1)
            var checks: [String: BenchmarkSetup.Check] = [:]
            if event == .checkFailure {
                for node in [a, b] {
                    let path = node.directory + "/bench-check.sh"
                    try LabFile.write(BenchmarkSetup.checkScriptText(failFile: node.directory + "/bench-fail"), to: path, mode: 0o755)
                    checks[node.name] = .init(path: path, interval: checkInterval)
                }
            }
            let capture = try await WireCapture.start(lab: cluster.lab, name: "failover")
            let probe = try await cluster.startProbe([IPAddress(vip)!], interval: .milliseconds(2))
            let implementation: LabDaemon.Implementation = daemon == .ipfailover ? .ipfailover(binary: binary) : .keepalived(renderer: nil)
            let da = cluster.daemon(on: a, implementation, .configuration(
                setup.configuration(priority: BenchmarkSetup.masterPriority, master: true, check: checks["a"])), logLevel: "warning")
            let db = cluster.daemon(on: b, implementation, .configuration(
                setup.configuration(priority: BenchmarkSetup.backupPriority, master: false, check: checks["b"])), logLevel: "warning")
            try await da.start()
            guard await probe.waitForAnswer(to: IPAddress(vip)!, by: "a", after: .now, timeout: .seconds(20)) != nil else {
                throw BenchmarkError.scenario("\(daemon) on a never answered \(vip): \(da.log.suffix(2000))")
            }
            try await db.start()
            // Let b hear a few adverts and settle as backup (plus one check round).
            try await Task.sleep(for: .seconds(max(2 * setup.advertisementInterval, 0.3) + 0.7 + (checks.isEmpty ? 0 : checkInterval)))
            let clock = WallClock()
            let t0 = ContinuousClock.now
            switch event {
            case .linkDown: try await cluster.setLink(of: a, up: false)
            case .kill9: await da.crash()
            case .sigterm: await da.stop(signal: SIGTERM)
            case .checkFailure: try LabFile.write("fail\n", to: a.directory + "/bench-fail")
            }
            guard let answer = await probe.waitForAnswer(to: IPAddress(vip)!, by: "b", after: t0, timeout: .seconds(20)) else {
                throw BenchmarkError.scenario("\(daemon) on b never took over \(vip) after \(event): \(db.log.suffix(2000))")
            }
            try await Task.sleep(for: .milliseconds(200))
            let end = ContinuousClock.now
            await probe.stop()
            let outage = probe.longestGap(for: IPAddress(vip)!, from: t0, to: end)
            let frames = try await capture.finish()
            let wire = WireTakeover.analyse(frames, old: a.node.ipv4.description, new: b.node.ipv4.description, vip: vip,
                                            after: clock.wall(t0), setup: setup, backupPriority: BenchmarkSetup.backupPriority)
            return FailoverSample(outage: outage.seconds, recovery: (answer.receivedAt - t0).seconds, wire: wire)
        }
    }
}
