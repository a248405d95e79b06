import Glibc
import SeededRandom
import VRRPWire

/// The running soak: its cluster, daemons, generator and what it has measured. One
/// task drives it from start to report; `LabCluster.with` around it removes
/// everything on every exit path.
final class SoakState {
    let options: SoakRun.Options
    let cluster: LabCluster
    let output: @Sendable (String) -> Void
    var random: SplitMix64
    let started = ContinuousClock.now
    /// `started` on the wall clock (seconds since 1970), where the daemons' histories are.
    let startedWall = SoakState.wallClockNow()
    /// Violations whose timeline has been drawn (or given up), from the first.
    var violationsDrawn = 0

    /// Node name → its daemon.
    var daemons: [String: LabDaemon] = [:]
    /// Node name → the configuration text it runs from now.
    var configurations: [String: String] = [:]
    /// Node name → the configuration its daemon starts from (`LabDaemon` writes it at each start).
    var baseConfigurations: [String: String] = [:]
    /// Node name → the priority bump of its generated configuration (reloadChanged toggles it).
    var bumps: [String: Int] = [:]
    /// Node name → how many notify records its log held when the current incarnation started.
    var notifyOffsets: [String: Int] = [:]
    /// Node name → resource samples of the current incarnation, and of the longest so far.
    var samples: [String: [(fds: Int, rss: Int)]] = [:]
    var longestSamples: [String: [(fds: Int, rss: Int)]] = [:]
    /// The node whose daemon is never stopped (its drift spans the whole run).
    var steady = "a"
    var instances: [String: [String]] = [:]
    var probe: VIPProbe?
    var faults: [String: Int] = [:]
    var skipped: [String: String] = [:]
    var violations: [SoakReport.Violation] = []
    /// Quiet periods in which the client heard nothing from a VIP (reported, not a violation).
    var silences: [SoakReport.Violation] = []
    var reconvergence: [Duration] = []
    var reconvergenceByFault: [String: [Duration]] = [:]
    var stableWindow: Duration = .seconds(1)
    var pool: [SoakFault] = SoakFault.allCases
    var currentEvent = -1
    var currentFault = "start"

    init(options: SoakRun.Options, cluster: LabCluster, output: @escaping @Sendable (String) -> Void) {
        self.options = options
        self.cluster = cluster
        self.output = output
        random = SplitMix64(seed: options.seed)
        if let faults = options.faults { pool = SoakFault.allCases.filter(faults.contains) }
    }

    var names: [String] { cluster.nodes.map(\.name) }

    func seconds(_ instant: ContinuousClock.Instant) -> Double {
        let d = instant - started
        return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }

    func violation(_ invariant: String, _ detail: String, from: ContinuousClock.Instant, to: ContinuousClock.Instant = .now) {
        let v = SoakReport.Violation(event: currentEvent, fault: currentFault, invariant: invariant, detail: detail,
                                     windowStart: seconds(from), windowEnd: seconds(to))
        violations.append(v)
        output("  VIOLATION event \(v.event) (\(v.fault)) \(invariant): \(detail)")
    }

    func isKeepalived(_ node: String) -> Bool {
        if case .keepalived = daemons[node]?.implementation { return true }
        return false
    }

    // MARK: - The run

    func soak() async throws -> SoakReport {
        try await setUp()
        output("soak: seed \(options.seed), \(options.events) events, nodes "
               + names.map { "\($0)=\(daemons[$0]!.implementation)" }.joined(separator: " ")
               + ", instances \(instances.keys.sorted().joined(separator: " ")), stable window \(stableWindow)")
        let first = ContinuousClock.now
        if await settle(since: first) == nil {
            await drawViolationTimelines()
            throw SoakRun.Failure(reason: "the cluster did not elect one MASTER per instance within \(options.settleTimeout); "
                                  + violations.map(\.detail).joined(separator: "; ") + "\n" + logTails())
        }
        await quietChecks()
        await drawViolationTimelines()
        var interrupted = false
        for event in 0..<options.events {
            if Task.isCancelled { interrupted = true; break }
            currentEvent = event
            let fault = pool[Int.random(in: pool.indices, using: &random)]
            let eligible = names.filter { node in
                !(fault.stopsDaemon && node == steady) && !(fault.ipfailoverOnly && isKeepalived(node))
            }
            let target = eligible[Int.random(in: eligible.indices, using: &random)]
            currentFault = "\(fault.rawValue) \(target)"
            let begin = ContinuousClock.now
            do {
                try await apply(fault, on: target)
            } catch where Task.isCancelled {
                interrupted = true
                break
            }
            faults[fault.rawValue, default: 0] += 1
            let healed = ContinuousClock.now
            await checkAlive(since: begin)
            if let settled = await settle(since: healed) {
                reconvergence.append(settled - healed)
                reconvergenceByFault[fault.rawValue, default: []].append(settled - healed)
                if options.verbose {
                    output("event \(event): \(currentFault) held \(SoakRun.milliseconds(healed - begin)), "
                           + "settled after \(SoakRun.milliseconds(settled - healed))")
                }
            }
            await quietChecks()
            await drawViolationTimelines()
            if Task.isCancelled { interrupted = true; break }
            if !options.verbose, (event + 1) % 25 == 0 {
                output("  \(event + 1) events, \(violations.count) violations, \(Int(seconds(.now))) s")
            }
        }
        let report = finish(interrupted: interrupted)
        return report
    }

    func setUp() async throws {
        let binary = options.binary
        for (index, node) in cluster.nodes.enumerated() {
            let check = node.directory + "/soak-check.sh"
            try LabFile.write(SoakRun.checkScript, to: check, mode: 0o755)
            let text = options.configuration.map(SoakRun.adapt)
                ?? SoakRun.configuration(index: index, nodeCount: cluster.nodes.count, node: node, checkScript: check)
            configurations[node.name] = text
            baseConfigurations[node.name] = text
            bumps[node.name] = 0
            let keepalived = options.keepalivedNode && index == cluster.nodes.count - 1
            let daemon = cluster.daemon(on: node, keepalived ? .keepalived(renderer: nil) : .ipfailover(binary: binary),
                                        .configuration(text))
            daemons[node.name] = daemon
        }
        let advert = SoakRun.largestAdvertInterval(configurations[names[0]]!)
        // Master_Down_Interval is 3 adverts plus the skew (under one advert).
        stableWindow = options.stableWindow ?? .milliseconds(Int(advert * 4 * 3 * 1000) + 500)
        if options.configuration != nil {
            // The operator's configuration: instances and VIPs as the first ipfailover node reports them.
            let d = daemons[names[0]]!
            try await start(names[0])
            let (status, ok) = await d.waitForStatus(timeout: .seconds(15)) { !$0.instances.isEmpty }
            guard ok, let status else {
                throw SoakRun.Failure(reason: "ipfailover on \(names[0]) did not start from the configuration:\n" + String(d.log.suffix(2000)))
            }
            for i in status.instances {
                instances[i.name] = i.virtualAddresses.map { String($0.split(separator: "/")[0]) }
            }
            for name in names.dropFirst() { try await start(name) }
        } else {
            for k in 0..<cluster.nodes.count { instances["soak_VI_\(k + 1)"] = ["198.51.100.\(10 + k)"] }
            for name in names { try await start(name) }
        }
        let vips = instances.values.flatMap { $0 }.sorted().compactMap { IPAddress($0) }
        probe = try await cluster.startProbe(vips, interval: .milliseconds(20))
        if options.configuration != nil {
            for fault in [SoakFault.checkFail, .checkHang] {
                pool.removeAll { $0 == fault }
                skipped[fault.rawValue] = "the operator's configuration does not run the lab's check script"
            }
        }
        if !LabRequirements.has("nft") {
            pool.removeAll { $0 == .packetLoss }
            skipped[SoakFault.packetLoss.rawValue] = "nft not found"
        }
        let client = cluster.client
        let netem = try await cluster.lab.run(in: client.namespace, ["tc", "qdisc", "add", "dev", client.interface, "root",
                                                                     "netem", "delay", "1ms"], allowFailure: true)
        if netem.status == 0 {
            _ = try? await cluster.lab.run(in: client.namespace, ["tc", "qdisc", "del", "dev", client.interface, "root"], allowFailure: true)
        } else {
            pool.removeAll { $0 == .delay }
            skipped[SoakFault.delay.rawValue] = "tc netem unavailable: " + netem.standardError.split(separator: "\n").joined(separator: " ")
        }
        if pool.isEmpty {
            throw SoakRun.Failure(reason: "none of the faults asked for can be injected here: "
                                  + skipped.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: "; "))
        }
    }

    /// Starts (or restarts) the daemon on `node`; a new incarnation for the notify and resource records.
    func start(_ node: String) async throws {
        let n = cluster.node(node)
        notifyOffsets[node] = n.notifications.count
        if let current = samples[node], current.count > (longestSamples[node]?.count ?? 0) { longestSamples[node] = current }
        samples[node] = []
        bumps[node] = 0
        configurations[node] = baseConfigurations[node]
        try await daemons[node]!.start()
    }

    func logTails() -> String {
        names.map { "--- \($0) (\(daemons[$0]!.implementation)) log tail:\n" + String(daemons[$0]!.log.suffix(1500)) }
            .joined(separator: "\n")
    }

    /// The daemon never dies unless the soak killed it: any that ended is a violation
    /// (and is started again so the run goes on).
    func checkAlive(since: ContinuousClock.Instant) async {
        for name in names {
            guard let process = daemons[name]!.process, let status = process.exitStatusIfEnded else { continue }
            violation("daemon alive", "\(daemons[name]!.implementation) on \(name) exited with status \(status): "
                      + String(daemons[name]!.log.suffix(600)), from: since)
            try? await start(name)
        }
    }

    func finish(interrupted: Bool) -> SoakReport {
        var resources: [String: SoakReport.Resources] = [:]
        for name in names where !isKeepalived(name) {
            var longest = longestSamples[name] ?? []
            if let current = samples[name], current.count >= longest.count { longest = current }
            guard let first = longest.first, let last = longest.last else { continue }
            resources[name] = .init(samples: longest.count, fdsFirst: first.fds, fdsLast: last.fds,
                                    fdsMax: longest.map(\.fds).max()!, rssFirstKiB: first.rss, rssLastKiB: last.rss,
                                    rssMaxKiB: longest.map(\.rss).max()!,
                                    rssQuartersKiB: SoakReport.Resources.quarters(longest.map(\.rss)))
            if longest.count >= 10 {
                for problem in SoakInvariants.resources(fds: longest.map(\.fds), rssKiB: longest.map(\.rss), node: name) {
                    currentFault = "whole run"
                    violation("flat resources", problem, from: started)
                }
            }
        }
        return SoakReport(seed: options.seed, eventsRequested: options.events,
                          eventsRun: currentEvent + 1, nodes: names.reduce(into: [:]) { $0[$1] = daemons[$1]!.implementation.description },
                          instances: instances.keys.sorted(), faults: faults, skipped: skipped, violations: violations, quietOutages: silences,
                          reconvergence: .init(samples: reconvergence),
                          reconvergenceByFault: reconvergenceByFault.mapValues { .init(samples: $0) }, resources: resources,
                          durationSeconds: seconds(.now), interrupted: interrupted)
    }
}
