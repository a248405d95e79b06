import FailoverLab
import Glibc

/// The steady state of a whole 3-node cluster: node `a` is the master of every
/// instance (priority 200, `state MASTER`), `b` (150) and `c` (100) are backups. Every
/// node runs the same daemon from the same keepalived.conf but for the priority,
/// optionally with one check script tracked by every instance (interval 1 s) and a
/// notify script per instance — the node's deployment scripts. Measures, per node,
/// the CPU seconds the daemon's process tree used over the window and its peak RSS.
/// The segment's receive work runs on kernel threads (`Lab.receiveOnKernelThreads`),
/// so a node's figure holds its own sends and reads, not its peers' receive.
struct ClusterRun: Sendable {
    var setup: BenchmarkSetup
    var daemon: Daemon
    var instances: Int
    /// Track the shared check script and call the notify script.
    var scripts: Bool
    var window: Duration
    var binary: String
    var port: UInt16

    static let priorities = ["a": BenchmarkSetup.masterPriority, "b": 150, "c": BenchmarkSetup.backupPriority]

    /// A node's figures: CPU seconds per second of window (a fraction of one core) and
    /// peak RSS in bytes.
    struct NodeUsage: Sendable {
        var cpuFraction: Double
        var peakRSS: Double
    }

    /// Node name → its usage.
    func run() async throws -> [String: NodeUsage] {
        try await LabCluster.with(nodes: ["a", "b", "c"], responderPort: port) { cluster in
            try await cluster.lab.receiveOnKernelThreads()
            let implementation: LabDaemon.Implementation = daemon == .ipfailover ? .ipfailover(binary: binary) : .keepalived(renderer: nil)
            if let executable = daemon == .ipfailover ? binary : PageCache.executable(named: "keepalived") {
                PageCache.evict(executable)
            }
            var processes: [(name: String, daemon: LabDaemon, process: LabProcess)] = []
            for node in cluster.nodes {
                let check = scripts ? BenchmarkSetup.Check(path: node.checkScript, interval: 1) : nil
                let text = setup.configuration(priority: Self.priorities[node.name]!, master: node.name == "a",
                                               instances: instances, check: check,
                                               notify: scripts ? node.notifyScript : nil)
                let d = cluster.daemon(on: node, implementation, .configuration(text), logLevel: "warning")
                processes.append((node.name, d, try await d.start()))
                if node.name == "a" { try await Task.sleep(for: .milliseconds(300)) }
            }
            // Settle: every instance elected on a (polled), then the start-up GARP repeats done.
            let a = cluster.node("a")
            let deadline = ContinuousClock.now + .seconds(60)
            var owned = 0
            while ContinuousClock.now < deadline {
                owned = try await cluster.addresses(on: a).filter { $0.hasPrefix("198.51.100.") || $0.hasPrefix("203.0.113.") }.count
                if owned >= instances { break }
                try await Task.sleep(for: .milliseconds(500))
            }
            guard owned >= instances else {
                throw BenchmarkError.scenario("\(daemon) on a owns \(owned) of \(instances) VIPs: \(processes[0].daemon.log.suffix(2000))")
            }
            try await Task.sleep(for: .seconds(max(4 * setup.advertisementInterval + 2, 6)))
            let before = processes.map { ProcessUsage.sample(root: $0.process.pid) }
            let start = ContinuousClock.now
            // IPFAILOVER_BENCH_PERF=DIR: a CPU profile of every node over the window
            // (DIR/<daemon>-<instances>-a.data, …-b.data, …-c.data), for `perf report`.
            if let directory = getenv("IPFAILOVER_BENCH_PERF").map({ String(cString: $0) }) {
                for p in processes {
                    let seconds = Results.format(window.seconds)
                    let output = "\(directory)/\(daemon)-\(instances)\(scripts ? "" : "-noscripts")-\(p.name).data"
                    Task { _ = try? await LabCommand.run(["perf", "record", "-F", "1999", "-g", "-p", "\(p.process.pid)",
                                                          "-o", output, "--", "sleep", seconds], allowFailure: true) }
                }
            }
            // IPFAILOVER_BENCH_SYSCALLS=DIR: the system calls of the master and of a backup
            // over the window (`strace -c`), in DIR/<daemon>-<instances>-a.txt, ….
            if let directory = getenv("IPFAILOVER_BENCH_SYSCALLS").map({ String(cString: $0) }) {
                for p in processes where p.name != "c" {
                    let output = "\(directory)/\(daemon)-\(instances)\(scripts ? "" : "-noscripts")-\(p.name).txt"
                    Task { _ = try? await LabCommand.run(["timeout", "-s", "INT", Results.format(window.seconds), "strace", "-c", "-f",
                                                          "-p", "\(p.process.pid)", "-o", output], allowFailure: true) }
                }
            }
            try await Task.sleep(for: window)
            let after = processes.map { ProcessUsage.sample(root: $0.process.pid) }
            // IPFAILOVER_BENCH_MEMORY=DIR: where each node's memory is at the end of the
            // window — status (VmHWM, VmRSS, RssAnon/File) and smaps of every process of
            // the tree — in DIR/<daemon>-<instances>-<node>.txt.
            if let directory = getenv("IPFAILOVER_BENCH_MEMORY").map({ String(cString: $0) }) {
                for p in processes {
                    var text = ""
                    for pid in ProcessUsage.descendants(of: p.process.pid) + [p.process.pid] {
                        text += "== \(pid)\n" + (ProcessUsage.read("/proc/\(pid)/status") ?? "")
                            + (ProcessUsage.read("/proc/\(pid)/smaps") ?? "")
                    }
                    try? LabFile.write(text, to: "\(directory)/\(daemon)-\(instances)\(scripts ? "" : "-noscripts")-\(p.name).txt")
                }
            }
            let elapsed = (ContinuousClock.now - start).seconds
            var usage: [String: NodeUsage] = [:]
            for (i, p) in processes.enumerated() {
                guard p.process.exitStatusIfEnded == nil else {
                    throw BenchmarkError.scenario("\(daemon) on \(p.name) exited: \(p.daemon.log.suffix(2000))")
                }
                usage[p.name] = NodeUsage(cpuFraction: ProcessUsage.cpuDelta(before[i], after[i]) / elapsed,
                                          peakRSS: Double(after[i].peakRSS))
            }
            // Still one master: a owns every VIP at the end of the window.
            let still = try await cluster.addresses(on: a).filter { $0.hasPrefix("198.51.100.") || $0.hasPrefix("203.0.113.") }.count
            guard still >= instances else {
                throw BenchmarkError.scenario("\(daemon): a lost VIPs during the window (\(still) of \(instances))")
            }
            return usage
        }
    }
}
