import FailoverTestKit
import Logging
import Synchronization
import Testing
import VRRPCore
import VRRPWire
@testable import FailoverRuntime

/// The transition history in `/status`: each reason the daemon can have for a state
/// change, recorded by the engine's notify path, with what the notify calls did.
@Suite struct TransitionHistoryTests {
    static let notifyScript = "/etc/keepalived/notify.sh"
    static let checkScript = "/etc/keepalived/check.sh"

    /// Notify calls end at once with `notifyOutcome`; check runs with `checkOutcome`.
    final class PathLauncher: ProcessLauncher {
        let check = Mutex(LaunchOutcome(termination: .exited(0)))
        let notify: LaunchOutcome
        init(notify: LaunchOutcome = LaunchOutcome(termination: .exited(0), duration: .milliseconds(30))) {
            self.notify = notify
        }
        func launch(_ request: LaunchRequest) async -> LaunchOutcome {
            request.arguments.first == TransitionHistoryTests.checkScript ? check.withLock { $0 } : notify
        }
    }

    struct Node {
        let daemon: FailoverDaemon<ManualClock>
        let clock: ManualClock
        let launcher: PathLauncher

        /// The history of VI_1 once every notify call so far has ended.
        func history() async -> [TransitionRecord] {
            await daemon.notifier.drain()
            return await daemon.status().instances.first { $0.name == "VI_1" }?.history ?? []
        }

        func state() async -> String { await daemon.engine.snapshot().instances[0].state }
    }

    static func instance(priority: UInt8 = 100, state: VirtualRouterConfiguration.InitialState = .backup,
                         scripts: [TrackedScript] = []) -> RuntimeInstance {
        var instance = FailoverEngineTests.instance(priority: priority, state: state, scripts: scripts)
        instance.notify = NotifySpec(generic: notifyScript)
        return instance
    }

    static func node(_ instance: RuntimeInstance = instance(), checks: [CheckScriptSpec] = [],
                     launcher: PathLauncher = PathLauncher(),
                     historySize: Int = TransitionHistory.defaultCapacity) -> Node {
        var host = FakeHost.standard(scripts: ["notify.sh", "check.sh"])
        host.users["root"] = .root
        let clock = ManualClock(), ports = RecordingPorts()
        let daemon = FailoverDaemon(
            plan: RuntimePlan(instances: [instance], checkScripts: checks), scripts: ScriptSettings(),
            ports: DaemonPorts(sender: ports, addresses: ports, announcer: ports, launcher: launcher,
                               tcpProbe: UnusedProbe(), inspector: host, openFIFO: { _ in nil }, environment: [:]),
            clock: clock, logger: Logger(label: "test"), historySize: historySize)
        return Node(daemon: daemon, clock: clock, launcher: launcher)
    }

    /// Start, then the Master_Down timer: BACKUP, then MASTER.
    static func master(_ node: Node) async {
        await node.daemon.start()
        await node.clock.waitForSleepers(1)
        node.clock.advance(by: .milliseconds(400))
        #expect(await FailoverDaemonTests.eventually { await node.state() == "MASTER" })
    }

    @Test("History: start and Master_Down timer, each with its notify call's exit status and duration")
    func startAndMasterDownTimer() async throws {
        let node = Self.node()
        await Self.master(node)
        let history = await node.history()
        #expect(history.map(\.cause) == ["start", "master-down"])
        #expect(history.map { "\($0.from)→\($0.to)" } == ["INIT→BACKUP", "BACKUP→MASTER"])
        #expect(history[1].reason == "Master_Down timer expired")
        #expect(history[0].sequence < history[1].sequence)
        let call = try #require(history[1].notifies.first)
        #expect(call.command == "\(Self.notifyScript) INSTANCE VI_1 MASTER 100")
        #expect(call.exitStatus == 0 && call.succeeded)
        #expect(call.durationSeconds == 0.03)
        await node.daemon.shutdown()
    }

    @Test("History: a master stepping down names the higher-priority advert's sender")
    func higherPriorityAdvert() async {
        let node = Self.node()
        await Self.master(node)
        await node.daemon.engine.receive(FailoverEngineTests.advert(priority: 200))
        let last = await node.history().last
        #expect(last?.cause == "advert")
        #expect(last?.reason == "advert with higher priority 200 from 192.0.2.2")
        #expect(last?.peer == "192.0.2.2")
        #expect(last.map { "\($0.from)→\($0.to)" } == "MASTER→BACKUP")
        await node.daemon.shutdown()
    }

    @Test("History: a backup taking over after the master's priority-0 advert names that master")
    func priorityZeroAdvert() async {
        let node = Self.node()
        await node.daemon.start()
        await node.daemon.engine.receive(FailoverEngineTests.advert(priority: 200))
        await node.daemon.engine.receive(FailoverEngineTests.advert(priority: 0))
        await node.clock.waitForSleepers(1)
        node.clock.advance(by: .milliseconds(100))
        #expect(await FailoverDaemonTests.eventually { await node.state() == "MASTER" })
        let last = await node.history().last
        #expect(last?.cause == "priority-0")
        #expect(last?.reason == "priority-0 advert from 192.0.2.2")
        await node.daemon.shutdown()
    }

    @Test("History: a failed check names the script with its exit status and stderr tail")
    func checkFailed() async {
        let check = CheckScriptSpec(name: "chk_web", commandLine: Self.checkScript, user: ScriptUser(user: "root"))
        let node = Self.node(Self.instance(scripts: [TrackedScript(name: "chk_web")]), checks: [check])
        await Self.master(node)
        node.launcher.check.withLock {
            $0 = LaunchOutcome(termination: .exited(2), duration: .milliseconds(5), stderrTail: ["backend 198.51.100.7 refused"])
        }
        node.clock.advance(by: .seconds(1))
        #expect(await FailoverDaemonTests.eventually { await node.state() == "FAULT" })
        let last = await node.history().last
        #expect(last?.cause == "check")
        #expect(last?.reason == "check chk_web failed")
        #expect(last?.detail?.contains("failed with exit 2") == true)
        #expect(last?.detail?.contains("stderr: backend 198.51.100.7 refused") == true)
        await node.daemon.shutdown()
    }

    @Test("History: link down")
    func linkDown() async {
        // The plan tracks each instance's own interface (RuntimePlan+Configuration).
        var instance = Self.instance()
        instance.router.trackedInterfaces = [TrackedInterface(name: "eth0")]
        let node = Self.node(instance)
        await Self.master(node)
        await node.daemon.engine.interfaceChanged(name: "eth0", up: false)
        let last = await node.history().last
        #expect(last?.cause == "link")
        #expect(last?.reason == "link eth0 down")
        #expect(last.map { "\($0.from)→\($0.to)" } == "MASTER→FAULT")
        await node.daemon.shutdown()
    }

    @Test("History: a reload that restarts an instance records its stop and start as the reload's")
    func reload() async {
        let node = Self.node()
        await Self.master(node)
        await node.daemon.reload(RuntimePlan(instances: [Self.instance(priority: 120)]))
        let history = await node.history()
        #expect(history.suffix(2).map(\.cause) == ["reload", "reload"])
        #expect(history.suffix(2).map(\.reason) == ["reload: shutdown", "reload: start"])
        #expect(history.suffix(2).map { "\($0.from)→\($0.to)" } == ["MASTER→INIT", "INIT→BACKUP"])
        await node.daemon.shutdown()
    }

    @Test("History: shutdown, with the STOP notify's result")
    func shutdown() async {
        let node = Self.node()
        await Self.master(node)
        await node.daemon.shutdown()
        let last = await node.history().last
        #expect(last?.cause == "shutdown")
        #expect(last.map { "\($0.from)→\($0.to)" } == "MASTER→INIT")
        #expect(last?.notifies.first?.command == "\(Self.notifyScript) INSTANCE VI_1 STOP 100")
    }

    @Test("History: a failing notify script is shown with its exit status and stderr")
    func failingNotify() async {
        let node = Self.node(launcher: PathLauncher(notify: LaunchOutcome(
            termination: .exited(7), duration: .milliseconds(12), stderrTail: ["cannot reach the load balancer"])))
        await Self.master(node)
        let call = await node.history().last?.notifies.first
        #expect(call?.result == "exit 7")
        #expect(call?.succeeded == false)
        #expect(call?.stderrTail == ["cannot reach the load balancer"])
        await node.daemon.shutdown()
    }

    @Test("History costs nothing per advert: a master's steady adverts add no record")
    func advertsAddNoRecords() async {
        let node = Self.node()
        await node.daemon.start()
        let before = await node.history()
        for _ in 0..<100 { await node.daemon.engine.receive(FailoverEngineTests.advert(priority: 200)) }
        #expect(await node.history() == before)
        await node.daemon.shutdown()
    }

    @Test("The history size bounds each instance's records")
    func sizeBoundsTheRecords() async {
        let node = Self.node(historySize: 2)
        await Self.master(node)
        await node.daemon.engine.receive(FailoverEngineTests.advert(priority: 200))
        let history = await node.history()
        #expect(history.map(\.cause) == ["master-down", "advert"])
        await node.daemon.shutdown()
    }

    @Test("History size input: 1…1024, anything else refused naming the input", arguments: ["0", "1025", "-3", "lots", "32k"])
    func badSizeIsRefusedNamingTheInput(text: String) {
        #expect(throws: TransitionHistory.InvalidSize.self) { try TransitionHistory.capacity(text, source: "--history-size") }
        do {
            _ = try TransitionHistory.capacity(text, source: "--history-size")
        } catch {
            #expect(error.description == "--history-size '\(text)' is not a number of transitions from 1 to 1024")
        }
    }

    @Test func sizeDefaultsAndLimits() throws {
        #expect(try TransitionHistory.capacity(nil, source: "x") == 32)
        #expect(try TransitionHistory.capacity("1024", source: "x") == 1024)
        #expect(try TransitionHistory.capacity("1", source: "x") == 1)
    }
}
