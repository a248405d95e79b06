import FailoverTestKit
import Logging
import Testing
import VRRPCore
import VRRPWire
@testable import FailoverRuntime

@Suite struct FailoverDaemonTests {
    /// A daemon whose check scripts run through `launcher` on `host` (by default one
    /// with /etc/keepalived/check.sh and a root user), logging to `logger`.
    static func daemon(_ plan: RuntimePlan, ports: RecordingPorts, clock: ManualClock,
                       launcher: any ProcessLauncher = ImmediateLauncher(), host: FakeHost = scriptHost(),
                       settings: ScriptSettings = ScriptSettings(), logger: Logger = Logger(label: "test")) -> FailoverDaemon<ManualClock> {
        FailoverDaemon(plan: plan, scripts: settings, ports: DaemonPorts(
            sender: ports, addresses: ports, announcer: ports, launcher: launcher,
            tcpProbe: UnusedProbe(), inspector: host, openFIFO: { _ in nil }, environment: [:]),
            clock: clock, logger: logger)
    }

    /// A host with /etc/keepalived/check.sh and a root user.
    static func scriptHost() -> FakeHost {
        var host = FakeHost.standard(scripts: ["check.sh"])
        host.users["root"] = .root
        return host
    }

    /// A logger at info level into `store`.
    static func infoLogger(_ store: RecordingLogHandler.Store) -> Logger {
        var logger = RecordingLogHandler.logger(store)
        logger.logLevel = .info
        return logger
    }

    @Test func reloadWithABrokenConfigurationKeepsTheRunningOne() async {
        let ports = RecordingPorts(), clock = ManualClock()
        let plan = RuntimePlan(instances: [FailoverEngineTests.instance(priority: 255, state: .master)])
        let daemon = Self.daemon(plan, ports: ports, clock: clock)
        await daemon.start()
        // The start's notify results reach the transition history asynchronously.
        await daemon.notifier.drain()
        let before = await daemon.engine.snapshot()
        ports.reset()
        let result = await daemon.reload { .failure(ReloadRejected(diagnostics: ["keepalived.conf:3:5: error: bad"])) }
        guard case .failure(let rejected) = result else { Issue.record("a broken file was accepted"); return }
        #expect(rejected.diagnostics == ["keepalived.conf:3:5: error: bad"])
        #expect(ports.calls.isEmpty)
        #expect(await daemon.engine.snapshot() == before)
    }

    @Test func statusJSONAndMetricsReflectTheMaster() async throws {
        let ports = RecordingPorts(), clock = ManualClock()
        let daemon = Self.daemon(RuntimePlan(instances: [FailoverEngineTests.instance(priority: 255, state: .master)]),
                                 ports: ports, clock: clock)
        await daemon.start()
        let json = String(decoding: await daemon.statusJSON(), as: UTF8.self)
        #expect(json.contains(#""state" : "MASTER""#))
        #expect(json.contains(#""effectivePriority" : 255"#))
        let metrics = String(decoding: await daemon.metricsText(), as: UTF8.self)
        #expect(metrics.contains(#"keepalived_vrrp_state{iname="VI_1",intf="eth0",vrid="51"} 2"#))
        #expect(metrics.contains(#"keepalived_become_master_total{iname="VI_1",intf="eth0",vrid="51"} 1"#))
        // Names exactly as declared (no unit appended), each with its help and type.
        #expect(metrics.contains("# HELP keepalived_become_master_total Transitions into MASTER\n"
            + "# TYPE keepalived_become_master_total counter\n"))
        #expect(metrics.split(separator: "\n").contains { $0.hasPrefix("keepalived_up 1") })
        #expect(metrics.contains(#"ipfailover_build_info{version="\#(BuildInfo.version)"} 1"#))
        #expect(await daemon.isHealthy())
        await daemon.shutdown()
        #expect(await !daemon.isHealthy())
    }

    @Test("SIGUSR1 data dump: each instance's transitions with their notify results, and its split-brain and VRID-collision state")
    func dataDumpShowsTransitionsAndConflicts() async throws {
        let ports = RecordingPorts(), clock = ManualClock()
        // The instance's notify script, /bin/true, exists on this host.
        var host = Self.scriptHost()
        host.files["/bin"] = FakeHost.directory()
        host.files["/bin/true"] = FakeHost.file()
        host.executableFormat.insert("/bin/true")
        let daemon = Self.daemon(RuntimePlan(instances: [FailoverEngineTests.instance(priority: 150)]), ports: ports,
                                 clock: clock, host: host)
        await daemon.start()
        await clock.waitForSleepers(1)
        clock.advance(by: .milliseconds(400))
        #expect(await Self.eventually { await daemon.engine.snapshot().instances.first?.state == "MASTER" })
        clock.advance(by: .seconds(1))  // master for longer than one Master_Down_Interval
        for _ in 0..<3 {
            await daemon.engine.receive(FailoverEngineTests.advert(priority: 100))
            clock.advance(by: .milliseconds(100))
        }
        await daemon.notifier.drain()

        let dump = await daemon.dataDump()
        let lines = dump.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.hasPrefix("   Split brain = active, peer 192.0.2.2 since +") && $0.hasSuffix(", episodes 1, adverts 3") },
                "\(dump)")
        #expect(lines.contains("   VRID collision = none, episodes 0, adverts 0"), "\(dump)")
        #expect(lines.contains("   Transitions = 2 (oldest first, at most \(TransitionHistory.defaultCapacity))"), "\(dump)")
        let changes = lines.filter { $0.hasPrefix("     ") && $0.contains("Z ") && $0.contains(" -> ") }
        #expect(changes.count == 2, "\(dump)")
        #expect(changes.first?.hasSuffix("Z INIT -> BACKUP priority 150: start") == true, "\(dump)")
        #expect(changes.last?.hasSuffix("Z BACKUP -> MASTER priority 150: Master_Down timer expired") == true, "\(dump)")
        // Each change's notify call (`notify "/bin/true"`), under it.
        let notifies = lines.filter { $0.hasPrefix("       Notify = ") }
        #expect(notifies.count == 2, "\(dump)")
        #expect(notifies.allSatisfy { $0.hasPrefix("       Notify = true exit 0") }, "\(dump)")
        await daemon.shutdown()
    }

    @Test("keepalived_up rule: 1 only while the engine is healthy (as /healthz): 0 before start and after shutdown")
    func keepalivedUpFollowsHealth() async {
        let ports = RecordingPorts(), clock = ManualClock()
        let daemon = Self.daemon(RuntimePlan(instances: [FailoverEngineTests.instance()]), ports: ports, clock: clock)
        func up() async -> Bool? {
            let text = String(decoding: await daemon.metricsText(), as: UTF8.self)
            let line = text.split(separator: "\n").first { $0.hasPrefix("keepalived_up ") }
            return line.map { $0 == "keepalived_up 1" || $0 == "keepalived_up 1.0" }
        }
        #expect(await up() == false)
        await daemon.start()
        #expect(await up() == true)
        await daemon.shutdown()
        #expect(await up() == false)
    }

    @Test func reloadThatTurnsOnScriptSecurityRefusesAnInsecureScriptItRanBefore() async {
        var host = FakeHost.standard(scripts: ["check.sh"])
        host.files["/etc/keepalived"] = FakeHost.directory(gid: 50, mode: 0o775)
        host.users["root"] = .root
        let ports = RecordingPorts(), clock = ManualClock()
        let check = CheckScriptSpec(name: "chk", commandLine: "/etc/keepalived/check.sh", user: ScriptUser(user: "root"))
        let plan = RuntimePlan(instances: [FailoverEngineTests.instance()], checkScripts: [check], enableScriptSecurity: false)
        let daemon = Self.daemon(plan, ports: ports, clock: clock, host: host, settings: ScriptSettings(enableScriptSecurity: false))
        await daemon.start()
        #expect(await daemon.scriptStatus().first?.loadError == nil)

        var secured = plan
        secured.enableScriptSecurity = true
        await daemon.reload(secured)
        let refused = await daemon.scriptStatus().first?.loadError
        #expect(refused == ScriptError.insecure(path: "/etc/keepalived/check.sh", component: "/etc/keepalived",
                                                reason: "is writable by non-root group gid 50 (mode 775)"))

        // And back: turning it off lets the script run again.
        await daemon.reload(plan)
        #expect(await daemon.scriptStatus().first?.loadError == nil)
        await daemon.shutdown()
    }

    /// Waits (bounded) until `condition` holds; false when it never did.
    static func eventually(_ condition: () async -> Bool) async -> Bool {
        let deadline = ContinuousClock.now.advanced(by: .seconds(20))
        while ContinuousClock.now < deadline {
            if await condition() { return true }
            await Task.yield()
        }
        return false
    }

    /// keepalived disables a missing check script ("Disabling track script … since
    /// not found/accessible") and the instance serves as if it never tracked it: a
    /// typo in a script path must not take every VIP down.
    @Test func missingCheckScriptIsDisabledAndTheInstanceStillServes() async {
        let ports = RecordingPorts(), clock = ManualClock()
        var host = FakeHost.standard(scripts: [])
        host.users["root"] = .root
        let check = CheckScriptSpec(name: "chk", commandLine: "/etc/keepalived/typo.sh", user: ScriptUser(user: "root"))
        let plan = RuntimePlan(instances: [FailoverEngineTests.instance(priority: 255, state: .master,
                                                                        scripts: [TrackedScript(name: "chk")])],
                               checkScripts: [check])
        let launcher = ScriptedLauncher()
        let daemon = Self.daemon(plan, ports: ports, clock: clock, launcher: launcher, host: host)
        await daemon.start()
        #expect(await daemon.engine.snapshot().instances[0].state == "MASTER")
        #expect(launcher.launchCount == 0)
        let status = await daemon.status()
        #expect(status.scripts.first?.state == "disabled")
        #expect(status.scripts.first?.disabledReason == "script '/etc/keepalived/typo.sh' does not exist")
        let metrics = String(decoding: await daemon.metricsText(), as: UTF8.self)
        #expect(metrics.contains(#"ipfailover_check_script_disabled{name="chk"} 1"#))
        await daemon.shutdown()
    }

    /// A check the daemon cannot start (its descriptors exhausted: EMFILE on the
    /// pipe) is the daemon's error: logged and counted, the instance keeps its last
    /// check state — a MASTER stays MASTER — and the next tick tries again.
    @Test func checkTheDaemonCannotStartNeverFaultsTheInstance() async {
        let ports = RecordingPorts(), clock = ManualClock()
        let host = FakeHost.standard(scripts: ["check.sh"])
        let check = CheckScriptSpec(name: "chk", commandLine: "/etc/keepalived/check.sh")
        let plan = RuntimePlan(instances: [FailoverEngineTests.instance(priority: 255, state: .master,
                                                                        scripts: [TrackedScript(name: "chk")])],
                               checkScripts: [check])
        let launcher = ScriptedLauncher()
        var settings = ScriptSettings()
        settings.enableScriptSecurity = false
        let daemon = Self.daemon(plan, ports: ports, clock: clock, launcher: launcher, host: host, settings: settings)
        await daemon.start()
        await launcher.waitForLaunches(1)
        launcher.finish(0, exit: 0)
        #expect(await Self.eventually { await daemon.engine.snapshot().instances[0].state == "MASTER" })
        for run in 1...3 {
            clock.advance(by: .seconds(1))
            await launcher.waitForLaunches(run + 1)
            launcher.finish(run, with: LaunchOutcome(termination: .resourceExhausted("pipe: Too many open files")))
        }
        #expect(await Self.eventually { await daemon.scriptStatus().first?.spawnFailures == 3 })
        #expect(await daemon.engine.snapshot().instances[0].state == "MASTER")
        let status = await daemon.status()
        #expect(status.scripts.first?.state == "up")
        #expect(status.scripts.first?.failures == 0)
        #expect(status.scripts.first?.notStarted == 3)
        let metrics = String(decoding: await daemon.metricsText(), as: UTF8.self)
        #expect(metrics.contains(#"ipfailover_check_script_not_started_total{name="chk"} 3"#))
        await daemon.shutdown()
    }

    /// The script verdict that `/status`, `/metrics` and the "check … → down" log show
    /// follows the rule the instance follows: a first result that fails takes the
    /// script down and the instance to FAULT together (fall does not delay the first
    /// verdict), and rise holds both down until enough successes in a row.
    @Test("rise/fall rule: the shown script verdict is the instance's: a failing first result is down exactly when the instance is FAULT")
    func shownScriptVerdictFollowsTheInstancesRule() async {
        let ports = RecordingPorts(), clock = ManualClock()
        let store = RecordingLogHandler.Store(), launcher = ScriptedLauncher()
        let check = CheckScriptSpec(name: "chk", commandLine: "/etc/keepalived/check.sh", rise: 2, fall: 3,
                                    user: ScriptUser(user: "root"))
        let plan = RuntimePlan(instances: [FailoverEngineTests.instance(scripts: [TrackedScript(name: "chk", rise: 2, fall: 3)])],
                               checkScripts: [check])
        let daemon = Self.daemon(plan, ports: ports, clock: clock, launcher: launcher, logger: Self.infoLogger(store))
        func shown() async -> (instance: String, script: String?, metric: Bool) {
            let instance = await daemon.engine.snapshot().instances[0].state
            let script = await daemon.status().scripts.first?.state
            let metrics = String(decoding: await daemon.metricsText(), as: UTF8.self)
            return (instance, script, metrics.contains(#"keepalived_check_script_status{name="chk"} 1"#))
        }
        await daemon.start()
        #expect(await shown().script == "pending")

        await launcher.waitForLaunches(1)
        launcher.finish(0, exit: 1)
        #expect(await Self.eventually { await daemon.scriptStatus().first?.runsCompleted == 1 })
        #expect(await Self.eventually { await shown().instance == "FAULT" })
        var now = await shown()
        #expect(now.script == "down")
        #expect(!now.metric)
        #expect(store.all.contains { $0.contains("check chk: failed with exit 1") && $0.contains("→ down") })

        // One success of rise = 2: both stay down.
        clock.advance(by: .seconds(1))
        await launcher.waitForLaunches(2)
        launcher.finish(1, exit: 0)
        #expect(await Self.eventually { await daemon.scriptStatus().first?.runsCompleted == 2 })
        now = await shown()
        #expect(now.instance == "FAULT")
        #expect(now.script == "down")
        #expect(!now.metric)

        // The second success in a row: both up.
        clock.advance(by: .seconds(1))
        await launcher.waitForLaunches(3)
        launcher.finish(2, exit: 0)
        #expect(await Self.eventually { await shown().instance != "FAULT" })
        now = await shown()
        #expect(now.script == "up")
        #expect(now.metric)
        #expect(store.all.contains { $0.contains("check chk: OK") && $0.contains("→ up") })
        await daemon.shutdown()
    }

    /// What a check script writes is logged with the script's name: at info for a
    /// failed run, at debug for a successful one (a healthy check every 2 s must not
    /// flood the log).
    @Test func checkScriptOutputIsLoggedAtInfoOnlyWhenTheRunFailed() async {
        let ports = RecordingPorts(), clock = ManualClock()
        let store = RecordingLogHandler.Store(), launcher = ScriptedLauncher()
        let check = CheckScriptSpec(name: "chk", commandLine: "/etc/keepalived/check.sh", user: ScriptUser(user: "root"))
        let plan = RuntimePlan(instances: [FailoverEngineTests.instance(scripts: [TrackedScript(name: "chk", weight: 10)])],
                               checkScripts: [check])
        let daemon = Self.daemon(plan, ports: ports, clock: clock, launcher: launcher, logger: Self.infoLogger(store))
        await daemon.start()
        await launcher.waitForLaunches(1)
        launcher.finish(0, with: LaunchOutcome(termination: .exited(0), output: [ScriptOutputLine(stream: .stdout, text: "all good")]))
        #expect(await Self.eventually { await daemon.scriptStatus().first?.runsCompleted == 1 })
        clock.advance(by: .seconds(1))
        await launcher.waitForLaunches(2)
        launcher.finish(1, with: LaunchOutcome(termination: .exited(2), output: [ScriptOutputLine(stream: .stderr, text: "backend down")]))
        let failureLine = "info vrrp_script chk stderr: backend down script.stream=stderr vrrp.script=chk"
        #expect(await Self.eventually { store.all.contains(failureLine) })
        // The feed handles reports in order: the successful run was handled before.
        #expect(!store.all.contains { $0.contains("all good") })
        await daemon.shutdown()
    }
}
