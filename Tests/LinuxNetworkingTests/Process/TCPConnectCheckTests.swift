import FailoverRuntime
import Glibc
import LinuxNetworking
import Testing
import VRRPWire

/// Env mode's default check, natively.
@Suite struct TCPConnectCheckTests {
    /// A socket bound to a port of 127.0.0.1, listening unless told not to; returns (fd, port).
    /// A bound socket that does not listen answers a SYN with a reset, and holds its port
    /// so that no other test can take it meanwhile.
    static func listener(listening: Bool = true) -> (Int32, UInt16) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var sa = sockaddr_in()
        sa.sin_family = sa_family_t(AF_INET)
        sa.sin_addr.s_addr = IPv4Address(127, 0, 0, 1).value.bigEndian
        sa.sin_port = 0
        _ = withUnsafePointer(to: &sa) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        if listening { _ = listen(fd, 16) }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &sa) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return (fd, UInt16(bigEndian: sa.sin_port))
    }

    @Test func passesWithAListener() async {
        let (fd, port) = Self.listener()
        defer { close(fd) }
        let result = await LinuxTCPConnectProbe().connect(to: IPAddress("127.0.0.1")!, port: port, timeout: .seconds(2))
        guard case .connected = result else { Issue.record("\(result)"); return }
    }

    @Test func failsWithoutAListener() async {
        let (fd, port) = Self.listener(listening: false)
        defer { close(fd) }
        let result = await LinuxTCPConnectProbe().connect(to: IPAddress("127.0.0.1")!, port: port, timeout: .seconds(2))
        #expect(result == .failed("Connection refused"))
    }

    /// Through the scheduler with the exact string the OpenShift image renders.
    @Test func renderedDefaultCheckRunsWithoutASpawn() async {
        let (fd, port) = Self.listener()
        defer { close(fd) }
        let preparer = ScriptPreparer(inspector: LinuxScriptHostInspector(), enableScriptSecurity: true, defaultCredentials: .root, environment: [:])
        let prepared = preparer.prepare(CheckScriptSpec(
            name: "chk_ipf", commandLine: "/bin/bash -c '</dev/tcp/127.0.0.1/\(port)'", interval: .seconds(5)))
        let scheduler = CheckScriptScheduler(clock: ContinuousClock(), launcher: NoSpawnLauncher(), tcpProbe: LinuxTCPConnectProbe())
        scheduler.start([prepared])
        var iterator = scheduler.reports.makeAsyncIterator()
        let report = await iterator.next()
        await scheduler.stop()
        #expect(report?.succeeded == true)
        guard case .tcpConnect(.connected) = report?.detail else { Issue.record("\(String(describing: report?.detail))"); return }
    }

    /// A black-holed port (SYN dropped by nftables inside a test namespace) fails
    /// before the next run is due.
    @Test(.enabled(if: ProcessLab.namespaceTestsEnabled, "needs root, ip and nft (always runs in CI)"))
    func blackHoledPortTimesOutWithinTheInterval() async throws {
        try #require(ProcessLab.isRoot, "namespace test needs root")
        let namespace = "ipf-tcp-" + ProcessLab.uniqueSuffix()
        let added = await ProcessLab.run(["/usr/sbin/ip", "netns", "add", namespace])
        try #require(added.succeeded, "ip netns add: \(added.stderrTail)")
        // Every path below ends here: the namespace is removed before returning.
        await Self.checkBlackHole(in: namespace)
        let deleted = await ProcessLab.run(["/usr/sbin/ip", "netns", "del", namespace])
        #expect(deleted.succeeded, "ip netns del: \(deleted.stderrTail)")
    }

    static func checkBlackHole(in namespace: String) async {
        let setup: [[String]] = [
            ["/usr/sbin/ip", "-n", namespace, "link", "set", "lo", "up"],
            ["/usr/sbin/ip", "-n", namespace, "addr", "add", "192.0.2.10/32", "dev", "lo"],
            ["/usr/sbin/ip", "netns", "exec", namespace, "/usr/sbin/nft",
             "add table inet ipf; add chain inet ipf input { type filter hook input priority 0; }; add rule inet ipf input tcp dport 9 drop"],
        ]
        for command in setup {
            let outcome = await ProcessLab.run(command)
            guard outcome.succeeded else {
                Issue.record("\(command.joined(separator: " ")): \(outcome.termination) \(outcome.stderrTail)")
                return
            }
        }
        let interval = Duration.seconds(2)
        let spec = CheckScriptSpec(name: "chk_bh", commandLine: "/bin/bash -c '</dev/tcp/192.0.2.10/9'", interval: interval)
        let preparer = ScriptPreparer(inspector: LinuxScriptHostInspector(), enableScriptSecurity: true, defaultCredentials: .root, environment: [:])
        let prepared = preparer.prepare(spec)
        // The connect gives up before the next run is due: 9/10 of the interval.
        guard case .tcpConnect(_, 9, let timeout) = prepared.probe else {
            Issue.record("not a native TCP check: \(prepared.probe)")
            return
        }
        #expect(timeout == interval * 9 / 10)
        let scheduler = CheckScriptScheduler(
            clock: ContinuousClock(), launcher: NoSpawnLauncher(),
            tcpProbe: LinuxTCPConnectProbe(networkNamespacePath: "/run/netns/" + namespace))
        scheduler.start([prepared])
        var iterator = scheduler.reports.makeAsyncIterator()
        let report = await iterator.next()
        await scheduler.stop()
        #expect(report?.succeeded == false)
        #expect(report?.detail == .tcpConnect(.timedOut))
        // It waited out that timeout (the SYN was dropped, nothing answered sooner).
        // Not an upper bound: how late the report comes is the machine's load (2.06 s
        // seen with both cores busy), and timings stay out of pass/fail tests.
        if let report { #expect(report.startedAt.duration(to: report.finishedAt) >= timeout) }
    }
}

/// The default check must never spawn.
struct NoSpawnLauncher: ProcessLauncher {
    func launch(_ request: LaunchRequest) async -> LaunchOutcome {
        Issue.record("unexpected spawn of \(request.arguments)")
        return LaunchOutcome(termination: .failedToStart("unexpected"))
    }
}

