import FailoverLab
import Glibc
import VRRPWire

/// One group of many VIPs moving: instance 1 holds 198.51.100.1 plus `count - 1` IPv6
/// VIPs in `virtual_ipaddress_excluded` (the documentation IPv4 ranges hold fewer
/// than 1,000 addresses). Once `a` answers every sampled VIP and the cluster is steady
/// (a's adverts regular, b silent, a's second announcement burst over), `a`'s link
/// goes down; measured from `b`'s first advert on the wire until the last sampled VIP
/// is answered by `b` at the client.
struct ManyVIPsRun: Sendable {
    var setup: BenchmarkSetup
    var daemon: Daemon
    var count = 1000
    var layout: BenchmarkSetup.IPv6Layout = .sequential
    var binary: String
    var port: UInt16

    /// Longest wait after the event for every sampled VIP to be answered by b.
    var window: Duration = .seconds(60)
    /// Longest wait for a steady cluster (a sending adverts regularly, b silent) before the event.
    var settleTimeout: Duration = .seconds(120)

    /// What the client saw after the takeover.
    struct Outcome: Sendable {
        /// VIPs answered by b within the window.
        var answered: Int
        /// Seconds from b's first advert to the last VIP answered by b (nil unless all were).
        var last: Double?
        /// Seconds from b's first advert until 90 % of the VIPs were answered by b.
        var ninetyPercent: Double?
        /// Seconds from b's first advert to its first answer (the IPv4 VIP, usually).
        var first: Double?
        /// Addresses on b's interface at the end (VIPs plus its own 3).
        var addressesOnB: Int
        /// Seconds from b's first advert to its first and last unsolicited NA on the wire
        /// (any of the 999 IPv6 VIPs; the first burst only: within the window).
        var firstNA: Double?
        var lastNA: Double?
        /// Seconds the cluster took to settle before the event (a answering every VIP, then steady adverts).
        var settle: Double
    }

    func run() async throws -> Outcome {
        try await LabCluster.with(nodes: ["a", "b"], responderPort: port) { cluster in
            let a = cluster.node("a"), b = cluster.node("b")
            _ = try? await cluster.lab.run(in: cluster.client.namespace, [
                "sysctl", "-qw", "net.ipv6.neigh.default.gc_thresh1=4096", "net.ipv6.neigh.default.gc_thresh2=8192",
                "net.ipv6.neigh.default.gc_thresh3=16384"], allowFailure: true)
            // The probe covers a sample — the IPv4 VIP and every 10th IPv6 VIP, the last one
            // included — at 10 ms: all 1,000 at that rate (100k datagrams/s through the
            // benchmark's own responders) starved the daemons on a 2-core machine.
            let sample = Array(stride(from: 10, to: count, by: 10)) + [count - 1]
            let targets = [IPAddress(BenchmarkSetup.vip(1))!] + sample.map { IPAddress(BenchmarkSetup.ipv6VIP($0, layout))! }
            let capture = try await WireCapture.start(lab: cluster.lab, name: "many")
            let implementation: LabDaemon.Implementation = daemon == .ipfailover ? .ipfailover(binary: binary) : .keepalived(renderer: nil)
            let da = cluster.daemon(on: a, implementation, .configuration(
                setup.configuration(priority: BenchmarkSetup.masterPriority, master: true, extraIPv6: count - 1, layout: layout)), logLevel: "warning")
            let db = cluster.daemon(on: b, implementation, .configuration(
                setup.configuration(priority: BenchmarkSetup.backupPriority, master: false, extraIPv6: count - 1, layout: layout)), logLevel: "warning")
            let clock = WallClock()
            let started = ContinuousClock.now
            let settleDeadline = started + settleTimeout
            try await da.start()
            let probe = try await cluster.startProbe(targets, interval: .milliseconds(10))
            while targets.contains(where: { probe.node(answering: $0) != "a" }) {
                guard ContinuousClock.now < settleDeadline else {
                    let missing = targets.filter { probe.node(answering: $0) != "a" }.count
                    throw BenchmarkError.scenario("\(daemon) on a: \(missing) of \(targets.count) sampled VIPs never answered: \(da.log.suffix(1500))")
                }
                try await Task.sleep(for: .milliseconds(200))
            }
            // Past garp_master_delay (5 s): a's second announcement burst must not fall into
            // the measurement, and a daemon still busy with its first must catch up.
            try await Task.sleep(for: .seconds(6))
            try await db.start()
            try await Task.sleep(for: .seconds(max(2 * setup.advertisementInterval, 0.3) + 0.7))
            // Steady: a's adverts regular over the last second and none from b (a daemon
            // stalled by its 1,000 addresses lets the backup take over before the event).
            while true {
                let frames = try await capture.framesSoFar(), now = clock.wall(.now)
                if WireCapture.isSteady(frames, master: a.node.ipv4.description, interval: setup.advertisementInterval, now: now, span: 2) { break }
                guard ContinuousClock.now < settleDeadline else {
                    let recent = frames.filter { $0.advertSource != nil && $0.time > now - 2 }
                    let fromA = recent.filter { $0.advertSource == a.node.ipv4.description }
                    let fromB = recent.filter { $0.advertSource == b.node.ipv4.description }
                    throw BenchmarkError.scenario("\(daemon): no steady MASTER a / silent BACKUP b within \(settleTimeout): last 2 s of \(frames.count) frames: a \(fromA.count) adverts (priorities \(Set(fromA.compactMap(\.priority)).sorted())), b \(fromB.count) (priorities \(Set(fromB.compactMap(\.priority)).sorted())); a \(da.log.suffix(600)) b \(db.log.suffix(600))")
                }
                try await Task.sleep(for: .seconds(1))
            }
            let settle = ContinuousClock.now - started
            let t0 = ContinuousClock.now
            try await cluster.setLink(of: a, up: false)
            // Answers are analysed afterwards; meanwhile one cheap check a second, only of the
            // VIPs b has not answered yet, ends the window early.
            var waiting = targets
            let end = t0 + window
            while !waiting.isEmpty, ContinuousClock.now < end {
                try await Task.sleep(for: .seconds(1))
                waiting.removeAll { probe.node(answering: $0) == "b" }
            }
            try await Task.sleep(for: .milliseconds(300))
            var answered: [ContinuousClock.Instant] = []
            for target in targets {
                if let answer = probe.firstAnswer(to: target, by: "b", after: t0) { answered.append(answer.receivedAt) }
            }
            await probe.stop()
            let frames = try await capture.finish()
            guard let wire = WireTakeover.analyse(frames, old: a.node.ipv4.description, new: b.node.ipv4.description,
                                                  vip: BenchmarkSetup.vip(1), after: clock.wall(t0), setup: setup,
                                                  backupPriority: BenchmarkSetup.backupPriority) else {
                let fromA = frames.filter { $0.advertSource == a.node.ipv4.description }
                let fromB = frames.filter { $0.advertSource == b.node.ipv4.description }
                throw BenchmarkError.scenario("no takeover on the wire after \(clock.wall(t0)): \(frames.count) frames, a \(fromA.count) adverts (\(fromA.first?.time ?? 0)…\(fromA.last?.time ?? 0)), b \(fromB.count) (\(fromB.first?.time ?? 0)…\(fromB.last?.time ?? 0)); \(db.log.suffix(800))")
            }
            let sorted = answered.sorted()
            let takeover = wire.newMasterFirstAdvert
            // NAs of b's first burst: after its first advert, before a second burst 5 s later.
            let nas = frames.filter { $0.naTarget != nil && $0.time >= takeover - 0.001 && $0.time < takeover + 4 }
            return Outcome(answered: answered.count,
                           last: answered.count == targets.count ? sorted.last.map { clock.wall($0) - takeover } : nil,
                           ninetyPercent: sorted.count >= targets.count * 9 / 10
                               ? clock.wall(sorted[targets.count * 9 / 10 - 1]) - takeover : nil,
                           first: sorted.first.map { clock.wall($0) - takeover },
                           addressesOnB: try await cluster.addresses(on: b).count,
                           firstNA: nas.first.map { $0.time - takeover }, lastNA: nas.last.map { $0.time - takeover },
                           settle: settle.seconds)
        }
    }
}
