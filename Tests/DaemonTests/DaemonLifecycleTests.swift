import FailoverLab
import Glibc
import Testing

/// What a second process, a signal at the wrong moment or a slow reload must not do
/// to a running daemon: real `ipfailover run` processes in lab namespaces.
@Suite(.serialized, .enabled(if: LabRequirements.shouldRun(["ip"]), "needs root and iproute2"))
struct DaemonLifecycleTests {
    @Test("A second run in the same network namespace exits 3 naming the running pid; the first keeps its VIP")
    func secondRunIsRefusedBeforeTouchingAnything() async throws {
        try LabRequirements.require(["ip"])
        try await Lab.with(nodes: ["a"]) { lab in
            let h = DaemonHarness(lab: lab)
            let a = lab.node("a")
            try h.writeConfiguration(DaemonHarness.configuration(priority: 150), for: a)
            let first = try h.start(a)
            #expect(await h.waitForState("MASTER", on: a), "\(first.standardError)")
            #expect(try await h.waitForVIP(on: a))

            // The same command again: it must not remove the tagged VIP, nor bind the port.
            let second = try h.start(a, logName: "second")
            let status = await second.stop(signal: 0, grace: .seconds(20))
            #expect(status == 3, "exit status \(status): \(second.standardError)")
            #expect(second.standardError.contains("pid \(first.pid)"), "\(second.standardError)")
            #expect(!second.standardError.contains("left behind"), "\(second.standardError)")
            #expect(first.exitStatusIfEnded == nil, "the first daemon died: \(first.standardError)")
            #expect(try await h.holdsVIP(a), "the running master lost its VIP")
            #expect(await h.state(of: a) == "MASTER")

            // `cleanup` would strip the VIPs from under the live daemon too.
            let cleanup = try await lab.run(in: a.namespace, [DaemonHarness.binary, "cleanup", "--config", h.configPath(a),
                                                              "--owned-addresses-file", "none"], allowFailure: true)
            #expect(cleanup.status == 3, "\(cleanup.standardError)")
            #expect(cleanup.standardError.contains("pid \(first.pid)"), "\(cleanup.standardError)")
            #expect(try await h.holdsVIP(a), "cleanup removed the running master's VIP")

            // Once the daemon is gone the lock is free again: a new run starts.
            #expect(await first.stop(signal: SIGTERM, grace: .seconds(10)) == 0)
            let third = try h.start(a, logName: "third")
            #expect(await h.waitForState("MASTER", on: a), "\(third.standardError)")
        }
    }

    @Test("SIGHUP and SIGUSR2 during start-up are served after start, never their default action (termination)")
    func sighupDuringStartUpDoesNotKill() async throws {
        try LabRequirements.require(["ip"])
        try await Lab.with(nodes: ["a"]) { lab in
            let h = DaemonHarness(lab: lab)
            let a = lab.node("a")
            // 255 instances, then megabytes of a section the parser reads and skips:
            // loading the file is a long stretch of start-up to aim at.
            let line = String(repeating: "real_server ", count: 10) + "\n"
            try h.writeConfiguration(DaemonHarness.manyInstances(255, priority: 150, master: true)
                                     + "virtual_server 192.0.2.1 80 {\n"
                                     + String(repeating: line, count: 3_900_000 / line.utf8.count) + "}\n", for: a)
            mkdir("\(lab.directory)/a", 0o755)  // the dump directory
            let daemon = try h.start(a)
            // Aim once it has spent 0.2 s of CPU time: well inside its own code (past the
            // loader and the runtime's start), and still loading the file.
            var busy = false
            let busyDeadline = ContinuousClock.now + .seconds(30)
            while !busy, ContinuousClock.now < busyDeadline, daemon.exitStatusIfEnded == nil {
                busy = Self.cpuTicks(daemon.pid) >= 20
                if !busy { usleep(1000) }
            }
            #expect(busy, "\(daemon.standardError)")
            #expect(await h.state(of: a) == nil, "start-up was over before the signals: the test aims at nothing")
            // A HUP or a USR2 every millisecond from then on, through the rest of start-up.
            var sent = 0
            while sent < 300, daemon.exitStatusIfEnded == nil {
                kill(daemon.pid, sent % 2 == 0 ? SIGHUP : SIGUSR2)
                sent += 1
                usleep(1000)
            }
            try #require(daemon.exitStatusIfEnded == nil, "killed by signal #\(sent): \(daemon.standardError.suffix(2000))")
            #expect(await h.waitForAll("MASTER", count: 255, on: a) != nil, "\(daemon.standardError.suffix(2000))")
            let reloaded = await lab.waitForFile(daemon.standardErrorPath, timeout: .seconds(90)) { $0.contains("reloaded:") }
            #expect(reloaded.satisfied, "no reload after start-up: \(reloaded.contents.suffix(2000))")
            let stats = await lab.waitForFile("\(lab.directory)/\(a.name)/ipfailover.stats", timeout: .seconds(90)) { !$0.isEmpty }
            #expect(stats.satisfied, "no stats dump after start-up")
        }
    }

    @Test("SIGTERM during the reload of a 4 MB file releases mastership at once, without waiting for the parse")
    func sigtermIsServedWhileAReloadParses() async throws {
        try LabRequirements.require(["ip"])
        try await Lab.with(nodes: ["a"]) { lab in
            let h = DaemonHarness(lab: lab)
            let a = lab.node("a")
            let configuration = DaemonHarness.configuration(priority: 150)
            try h.writeConfiguration(configuration, for: a)
            let daemon = try h.start(a)
            #expect(await h.waitForState("MASTER", on: a), "\(daemon.standardError)")

            // The same instance, then 3.9 MB of words (just under the 4 MiB a file may
            // hold) in a section the parser reads and skips.
            let line = String(repeating: "real_server ", count: 10) + "\n"
            let big = configuration + "virtual_server 192.0.2.1 80 {\n"
                + String(repeating: line, count: 3_900_000 / line.utf8.count) + "}\n"
            try h.writeConfiguration(big, for: a)
            kill(daemon.pid, SIGHUP)
            let reloading = await lab.waitForFile(daemon.standardErrorPath) { $0.contains("SIGHUP: reloading") }
            #expect(reloading.satisfied, "\(reloading.contents)")

            let started = ContinuousClock.now
            let status = await daemon.stop(signal: SIGTERM, grace: .seconds(30))
            let took = ContinuousClock.now - started
            let log = daemon.standardError
            #expect(status == 0, "exit status \(status): \(log)")
            // The reload had not finished: it is the parse the shutdown did not wait for.
            #expect(!log.contains("reloaded:") && !log.contains("reload refused"), "the reload finished first: \(log)")
            // 1 s is the aim on an idle machine; the bound leaves room for a loaded one.
            #expect(took < .seconds(5), "SIGTERM took \(took)")
            #expect(try await !h.holdsVIP(a), "the VIP stayed after exit")
        }
    }

    /// User + system CPU time of `pid` in clock ticks (`/proc/PID/stat` fields 14, 15).
    static func cpuTicks(_ pid: pid_t) -> Int {
        guard let stat = LabFile.read("/proc/\(pid)/stat"), let close = stat.lastIndex(of: ")") else { return 0 }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // After the command name: state is field 3, utime 14, stime 15.
        guard fields.count > 12, let user = Int(fields[11]), let system = Int(fields[12]) else { return 0 }
        return user + system
    }
}
