import FailoverLab
import Glibc
import VRRPWire

/// One group of many VIPs moving: instance 1 holds 198.51.100.1 plus `count - 1` IPv6
/// VIPs in `virtual_ipaddress_excluded` (the documentation IPv4 ranges hold fewer
/// than 1,000 addresses). `a`'s link goes down; measured from `b`'s first advert on
/// the wire until the last VIP is answered by `b` at the client.
struct ManyVIPsRun: Sendable {
    var setup: BenchmarkSetup
    var daemon: Daemon
    var count = 1000
    var binary: String
    var port: UInt16

    /// Seconds from the takeover (b's first advert) to the last VIP answered by b.
    func run() async throws -> Double {
        try await LabCluster.with(nodes: ["a", "b"], responderPort: port) { cluster in
            let a = cluster.node("a"), b = cluster.node("b")
            _ = try? await cluster.lab.run(in: cluster.client.namespace, [
                "sysctl", "-qw", "net.ipv6.neigh.default.gc_thresh1=4096", "net.ipv6.neigh.default.gc_thresh2=8192",
                "net.ipv6.neigh.default.gc_thresh3=16384"], allowFailure: true)
            let targets = [IPAddress(BenchmarkSetup.vip(1))!] + (1..<count).map { IPAddress(BenchmarkSetup.ipv6VIP($0))! }
            let capture = try await WireCapture.start(lab: cluster.lab, name: "many")
            let implementation: LabDaemon.Implementation = daemon == .ipfailover ? .ipfailover(binary: binary) : .keepalived(renderer: nil)
            let da = cluster.daemon(on: a, implementation, .configuration(
                setup.configuration(priority: BenchmarkSetup.masterPriority, master: true, extraIPv6: count - 1)), logLevel: "warning")
            let db = cluster.daemon(on: b, implementation, .configuration(
                setup.configuration(priority: BenchmarkSetup.backupPriority, master: false, extraIPv6: count - 1)), logLevel: "warning")
            try await da.start()
            let probe = try await cluster.startProbe(targets, interval: .milliseconds(10))
            let deadline = ContinuousClock.now + .seconds(30)
            while targets.contains(where: { probe.node(answering: $0) != "a" }) {
                guard ContinuousClock.now < deadline else {
                    let missing = targets.filter { probe.node(answering: $0) != "a" }.count
                    throw BenchmarkError.scenario("\(daemon) on a: \(missing) of \(count) VIPs never answered: \(da.log.suffix(1500))")
                }
                try await Task.sleep(for: .milliseconds(100))
            }
            try await db.start()
            try await Task.sleep(for: .seconds(max(2 * setup.advertisementInterval, 0.3) + 0.7))
            let clock = WallClock()
            let t0 = ContinuousClock.now
            try await cluster.setLink(of: a, up: false)
            let end = ContinuousClock.now + .seconds(20)
            var last: ContinuousClock.Instant = t0
            for target in targets {
                guard let answer = await probe.waitForAnswer(to: target, by: "b", after: t0, timeout: end - .now) else {
                    throw BenchmarkError.scenario("\(daemon) on b: \(target) never answered after takeover: \(db.log.suffix(1500))")
                }
                last = max(last, answer.receivedAt)
            }
            await probe.stop()
            let frames = try await capture.finish()
            guard let wire = WireTakeover.analyse(frames, old: a.node.ipv4.description, new: b.node.ipv4.description,
                                                  vip: BenchmarkSetup.vip(1), after: clock.wall(t0), setup: setup,
                                                  backupPriority: BenchmarkSetup.backupPriority) else {
                throw BenchmarkError.scenario("no takeover on the wire")
            }
            return clock.wall(last) - wire.newMasterFirstAdvert
        }
    }
}
