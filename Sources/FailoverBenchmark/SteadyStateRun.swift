import FailoverLab
import Glibc

/// Steady state of the master node with 255 instances: CPU seconds used over a window
/// and peak RSS (VmHWM) of the daemon's process tree, with a backup running on `b`.
struct SteadyStateRun: Sendable {
    var setup: BenchmarkSetup
    var daemon: Daemon
    var instances = 255
    var window: Duration
    var binary: String
    var port: UInt16

    /// (CPU seconds per second of window — a fraction of one core, peak RSS bytes).
    func run() async throws -> (cpuFraction: Double, peakRSS: Double) {
        try await LabCluster.with(nodes: ["a", "b"], responderPort: port) { cluster in
            let implementation: LabDaemon.Implementation = daemon == .ipfailover ? .ipfailover(binary: binary) : .keepalived(renderer: nil)
            let da = cluster.daemon(on: cluster.node("a"), implementation, .configuration(
                setup.configuration(priority: BenchmarkSetup.masterPriority, master: true, instances: instances)), logLevel: "warning")
            let db = cluster.daemon(on: cluster.node("b"), implementation, .configuration(
                setup.configuration(priority: BenchmarkSetup.backupPriority, master: false, instances: instances)), logLevel: "warning")
            if let executable = daemon == .ipfailover ? binary : PageCache.executable(named: "keepalived") {
                PageCache.evict(executable)
            }
            let process = try await da.start()
            try await Task.sleep(for: .milliseconds(300))
            try await db.start()
            // Settle: every instance elected on a (polled), then start-up GARP repeats done.
            let deadline = ContinuousClock.now + .seconds(60)
            var owned = 0
            while ContinuousClock.now < deadline {
                owned = try await cluster.addresses(on: cluster.node("a")).filter { $0.hasPrefix("198.51.100.") || $0.hasPrefix("203.0.113.") }.count
                if owned >= instances { break }
                try await Task.sleep(for: .milliseconds(500))
            }
            try await Task.sleep(for: .seconds(4 * setup.advertisementInterval + 2))
            guard owned >= instances else {
                throw BenchmarkError.scenario("\(daemon) on a owns \(owned) of \(instances) VIPs: \(da.log.suffix(2000))")
            }
            let before = ProcessUsage.sample(root: process.pid)
            let start = ContinuousClock.now
            try await Task.sleep(for: window)
            let after = ProcessUsage.sample(root: process.pid)
            let elapsed = (ContinuousClock.now - start).seconds
            guard process.exitStatusIfEnded == nil else { throw BenchmarkError.scenario("\(daemon) on a exited: \(da.log.suffix(2000))") }
            return (ProcessUsage.cpuDelta(before, after) / elapsed, Double(after.peakRSS))
        }
    }
}
