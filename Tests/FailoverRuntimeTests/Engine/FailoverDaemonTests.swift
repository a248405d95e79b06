import FailoverTestKit
import Logging
import Testing
import VRRPCore
import VRRPWire
@testable import FailoverRuntime

@Suite struct FailoverDaemonTests {
    static func daemon(_ plan: RuntimePlan, ports: RecordingPorts, clock: ManualClock) -> FailoverDaemon<ManualClock> {
        FailoverDaemon(plan: plan, scripts: ScriptSettings(), ports: DaemonPorts(
            sender: ports, addresses: ports, announcer: ports, launcher: ImmediateLauncher(),
            tcpProbe: UnusedProbe(), inspector: FakeHost.standard(scripts: []), openFIFO: { _ in nil },
            environment: [:]), clock: clock, logger: Logger(label: "test"))
    }

    @Test func reloadWithABrokenConfigurationKeepsTheRunningOne() async {
        let ports = RecordingPorts(), clock = ManualClock()
        let plan = RuntimePlan(instances: [FailoverEngineTests.instance(priority: 255, state: .master)])
        let daemon = Self.daemon(plan, ports: ports, clock: clock)
        await daemon.start()
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
        #expect(metrics.contains("# HELP keepalived_up 1 while the VRRP engine runs\n# TYPE keepalived_up gauge\nkeepalived_up 1"))
        #expect(await daemon.isHealthy())
        await daemon.shutdown()
        #expect(await !daemon.isHealthy())
    }

    @Test func reloadThatTurnsOnScriptSecurityRefusesAnInsecureScriptItRanBefore() async {
        var host = FakeHost.standard(scripts: ["check.sh"])
        host.files["/etc/keepalived"] = FakeHost.directory(gid: 50, mode: 0o775)
        let ports = RecordingPorts(), clock = ManualClock()
        let check = CheckScriptSpec(name: "chk", commandLine: "/etc/keepalived/check.sh")
        let plan = RuntimePlan(instances: [FailoverEngineTests.instance()], checkScripts: [check], enableScriptSecurity: false)
        let daemon = FailoverDaemon(plan: plan, scripts: ScriptSettings(enableScriptSecurity: false), ports: DaemonPorts(
            sender: ports, addresses: ports, announcer: ports, launcher: ImmediateLauncher(),
            tcpProbe: UnusedProbe(), inspector: host, openFIFO: { _ in nil }, environment: [:]),
            clock: clock, logger: Logger(label: "test"))
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
}
