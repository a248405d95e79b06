import FailoverTestKit
@testable import FailoverRuntime
import Testing

@Suite struct NotifyArgumentTests {
    static let spec = NotifySpec(
        master: "/etc/keepalived/master.sh m1 'm 2'", backup: "/etc/keepalived/backup.sh b1",
        fault: "/etc/keepalived/fault.sh", stop: "/etc/keepalived/stop.sh s1",
        generic: "/etc/keepalived/notify.sh g1")

    /// keepalived's contract: notify_<state> gets only its own arguments, then
    /// notify gets its own + `INSTANCE|GROUP name STATE priority`.
    @Test(arguments: NotifyEvent.State.allCases)
    func goldenArgvForInstance(state: NotifyEvent.State) throws {
        let own: [String] = switch state {
        case .master: ["/etc/keepalived/master.sh", "m1", "m 2"]
        case .backup: ["/etc/keepalived/backup.sh", "b1"]
        case .fault: ["/etc/keepalived/fault.sh"]
        case .stop: ["/etc/keepalived/stop.sh", "s1"]
        }
        let commands = try Self.spec.commands(for: NotifyEvent(scope: .instance, name: "VI_1", state: state, priority: 150))
        #expect(commands.map(\.words) == [own, ["/etc/keepalived/notify.sh", "g1", "INSTANCE", "VI_1", state.rawValue, "150"]])
    }

    @Test(arguments: NotifyEvent.State.allCases)
    func goldenArgvForGroup(state: NotifyEvent.State) throws {
        let spec = NotifySpec(generic: "/etc/keepalived/notify.sh")
        let commands = try spec.commands(for: NotifyEvent(scope: .group, name: "G1", state: state, priority: 0))
        #expect(commands.map(\.words) == [["/etc/keepalived/notify.sh", "GROUP", "G1", state.rawValue, "0"]])
    }

    @Test func fifoLineFormat() {
        #expect(NotifyEvent(scope: .instance, name: "VI_1", state: .master, priority: 100).fifoLine == "INSTANCE \"VI_1\" MASTER 100")
        #expect(NotifyEvent(scope: .group, name: "G", state: .fault, priority: 0).fifoLine == "GROUP \"G\" FAULT 0")
    }

    @Test func onlyConfiguredScriptsRun() throws {
        let spec = NotifySpec(master: "/etc/keepalived/master.sh")
        #expect(try spec.commands(for: NotifyEvent(scope: .instance, name: "VI_1", state: .backup, priority: 1)).isEmpty)
    }
}

@Suite struct NotifyDispatcherTests {
    let host = FakeHost.standard(scripts: ["master.sh", "backup.sh", "notify.sh"])
    let spec = NotifySpec(master: "/etc/keepalived/master.sh", backup: "/etc/keepalived/backup.sh",
                          generic: "/etc/keepalived/notify.sh", fifoPath: "/run/ka.fifo")

    func dispatcher(_ launcher: any ProcessLauncher, fifo: RecordingFIFO) -> NotifyDispatcher {
        NotifyDispatcher(preparer: ScriptPreparer(inspector: host, enableScriptSecurity: true, defaultCredentials: .root, environment: [:]),
                         launcher: launcher, openFIFO: { _ in fifo })
    }

    /// Flapping MASTER→BACKUP→MASTER with a slow script: every script of a change
    /// starts only after the previous one ended; each exactly once; FIFO in the same order.
    @Test func flappingInstanceIsNotifiedStrictlyInOrder() async {
        let launcher = ScriptedLauncher()
        let fifo = RecordingFIFO()
        let notify = dispatcher(launcher, fifo: fifo)
        for (state, priority) in [(NotifyEvent.State.master, 100), (.backup, 90), (.master, 100)] {
            notify.enqueue(NotifyEvent(scope: .instance, name: "VI_1", state: state, priority: priority), spec: spec)
        }
        for index in 0..<6 {
            await launcher.waitForLaunches(index + 1)
            #expect(launcher.launchCount == index + 1)  // nothing else started meanwhile
            launcher.finish(index, exit: 0)
        }
        await notify.drain()
        #expect(launcher.events == [
            "start /etc/keepalived/master.sh", "end /etc/keepalived/master.sh",
            "start /etc/keepalived/notify.sh INSTANCE VI_1 MASTER 100", "end /etc/keepalived/notify.sh INSTANCE VI_1 MASTER 100",
            "start /etc/keepalived/backup.sh", "end /etc/keepalived/backup.sh",
            "start /etc/keepalived/notify.sh INSTANCE VI_1 BACKUP 90", "end /etc/keepalived/notify.sh INSTANCE VI_1 BACKUP 90",
            "start /etc/keepalived/master.sh", "end /etc/keepalived/master.sh",
            "start /etc/keepalived/notify.sh INSTANCE VI_1 MASTER 100", "end /etc/keepalived/notify.sh INSTANCE VI_1 MASTER 100",
        ])
        #expect(fifo.written == ["INSTANCE \"VI_1\" MASTER 100", "INSTANCE \"VI_1\" BACKUP 90", "INSTANCE \"VI_1\" MASTER 100"])
        #expect(notify.statistics.completed == 3)
    }

    /// 12 instances change state together against scripts that hang until finished:
    /// at most `concurrentDeliveries` (8) run at once, the rest start in arrival order
    /// as slots free, and every change is delivered.
    @Test func atMostEightDeliveriesRunAtOnce() async {
        let launcher = ScriptedLauncher()
        let notify = dispatcher(launcher, fifo: RecordingFIFO())
        let generic = NotifySpec(generic: "/etc/keepalived/notify.sh")
        for n in 0..<12 {
            notify.enqueue(NotifyEvent(scope: .instance, name: "VI_\(n)", state: .master, priority: 100), spec: generic)
        }
        await launcher.waitForLaunches(8)
        for index in 0..<12 {
            launcher.finish(index, exit: 0)
            if index + 9 <= 12 { await launcher.waitForLaunches(index + 9) }
        }
        await notify.drain()
        var running = 0, most = 0
        for event in launcher.events {
            running += event.hasPrefix("start") ? 1 : -1
            most = max(most, running)
        }
        #expect(most == 8, "\(launcher.events)")
        #expect(notify.statistics.completed == 12)
    }

    /// 255 instances changing state together start one task per delivery that may
    /// run, not one per instance waiting its turn: each task holds memory of its own
    /// (1.8 MB at start-up for 255 waiting ones), and a worker moves on to the next
    /// instance in arrival order.
    @Test func twoHundredFiftyFiveChangesAtOnceRunOnEightWorkers() async {
        let launcher = ScriptedLauncher()
        let notify = dispatcher(launcher, fifo: RecordingFIFO())
        let generic = NotifySpec(generic: "/etc/keepalived/notify.sh")
        for n in 0..<255 {
            notify.enqueue(NotifyEvent(scope: .instance, name: "VI_\(n)", state: .master, priority: 100), spec: generic)
        }
        await launcher.waitForLaunches(8)
        #expect(notify.workerCount == 8)
        for index in 0..<255 {
            launcher.finish(index, exit: 0)
            if index + 9 <= 255 { await launcher.waitForLaunches(index + 9) }
            #expect(notify.workerCount <= 8)
        }
        await notify.drain()
        #expect(notify.statistics.completed == 255)
        let launched = launcher.requests.map { $0.arguments[2] }
        // The first eight are taken by eight workers running at once: each reaches the
        // launcher when its worker does. From then on one worker at a time is free, and
        // it takes the next instance in arrival order.
        #expect(Set(launched.prefix(8)) == Set((0..<8).map { "VI_\($0)" }))
        #expect(Array(launched.dropFirst(8)) == (8..<255).map { "VI_\($0)" })
    }

    /// A hanging notify never blocks the caller, nor another instance's notifies.
    @Test func hangingNotifyDelaysOnlyItsOwnInstance() async {
        let launcher = ScriptedLauncher()
        let fifo = RecordingFIFO()
        let notify = dispatcher(launcher, fifo: fifo)
        notify.enqueue(NotifyEvent(scope: .instance, name: "A", state: .master, priority: 100), spec: spec)
        await launcher.waitForLaunches(1)
        // A's first script hangs; enqueue still returns at once (it is synchronous) ...
        notify.enqueue(NotifyEvent(scope: .instance, name: "A", state: .backup, priority: 100), spec: spec)
        notify.enqueue(NotifyEvent(scope: .instance, name: "B", state: .master, priority: 100), spec: spec)
        // ... and B's notify runs while A's still hangs.
        await launcher.waitForLaunches(2)
        #expect(launcher.requests[1].arguments == ["/etc/keepalived/master.sh"])
        launcher.finish(1, exit: 0)
        await launcher.waitForLaunches(3)
        #expect(launcher.requests[2].arguments == ["/etc/keepalived/notify.sh", "INSTANCE", "B", "MASTER", "100"])
        #expect(!launcher.isFinished(0))
        #expect(notify.statistics.outstanding == 3)
        launcher.finish(2, exit: 0)
        // A's hung script times out (the launcher's contract); A's queue moves on.
        launcher.finish(0, with: LaunchOutcome(termination: .signaled(9), timedOut: true))
        for index in 3..<6 {
            await launcher.waitForLaunches(index + 1)
            launcher.finish(index, exit: 0)
        }
        await notify.drain()
        #expect(notify.statistics.scriptTimeouts == 1)
        #expect(fifo.written.filter { $0.contains("\"A\"") } == ["INSTANCE \"A\" MASTER 100", "INSTANCE \"A\" BACKUP 100"])
    }

    /// A peer flapping 1,000 times against a notify script that hangs: the queue
    /// holds at most `pendingLimit` changes, the oldest waiting ones make way (counted),
    /// order is kept, and the newest state is the last one delivered.
    @Test func flappingAgainstASlowScriptKeepsTheQueueBoundedAndDeliversTheNewestState() async {
        let launcher = ScriptedLauncher()
        let fifo = RecordingFIFO()
        let notify = NotifyDispatcher(
            preparer: ScriptPreparer(inspector: host, enableScriptSecurity: true, defaultCredentials: .root, environment: [:]),
            launcher: launcher, openFIFO: { _ in fifo }, configuration: .init(pendingLimit: 4))
        let generic = NotifySpec(generic: "/etc/keepalived/notify.sh", fifoPath: "/run/ka.fifo")
        notify.enqueue(NotifyEvent(scope: .instance, name: "VI_1", state: .master, priority: 1), spec: generic)
        await launcher.waitForLaunches(1)  // the first change is running and hangs
        for i in 2...1000 {
            notify.enqueue(NotifyEvent(scope: .instance, name: "VI_1", state: i % 2 == 0 ? .backup : .master, priority: i),
                           spec: generic)
            #expect(notify.statistics.outstanding <= 5)  // 1 running + 4 waiting
        }
        #expect(notify.statistics.dropped == 995)
        launcher.finish(0, exit: 0)
        for index in 1...4 {
            await launcher.waitForLaunches(index + 1)
            launcher.finish(index, exit: 0)
        }
        await notify.drain()
        // The first change, then the four newest, in order; the last is the current state.
        #expect(fifo.written == [1, 997, 998, 999, 1000].map {
            "INSTANCE \"VI_1\" \($0 % 2 == 0 ? "BACKUP" : "MASTER") \($0)"
        })
        #expect(notify.statistics.completed == 5)
        #expect(notify.statistics.outstanding == 0)
    }

    /// A notify the daemon cannot start (EMFILE) is retried, so the change is not lost.
    @Test func notifyTheDaemonCannotStartIsRetried() async {
        let launcher = ScriptedLauncher()
        let fifo = RecordingFIFO()
        let notify = NotifyDispatcher(
            preparer: ScriptPreparer(inspector: host, enableScriptSecurity: true, defaultCredentials: .root, environment: [:]),
            launcher: launcher, openFIFO: { _ in fifo },
            configuration: .init(resourceRetryDelays: [.milliseconds(1), .milliseconds(1)]))
        let generic = NotifySpec(generic: "/etc/keepalived/notify.sh")
        notify.enqueue(NotifyEvent(scope: .instance, name: "VI_1", state: .master, priority: 100), spec: generic)
        await launcher.waitForLaunches(1)
        launcher.finish(0, with: LaunchOutcome(termination: .resourceExhausted("pipe: Too many open files")))
        await launcher.waitForLaunches(2)
        #expect(launcher.requests[1] == launcher.requests[0])
        launcher.finish(1, exit: 0)
        await notify.drain()
        #expect(notify.statistics.spawnFailures == 1)
        #expect(notify.statistics.scriptFailures == 0)
    }

    /// keepalived sends script output to /dev/null; we log every line a notify
    /// script writes, at info, with the instance and the stream as metadata.
    @Test func notifyScriptOutputIsLoggedLineByLine() async {
        let store = RecordingLogHandler.Store()
        let output = [ScriptOutputLine(stream: .stdout, text: "2026-01-02T03:04:05.678Z INSTANCE VI_1 MASTER 100"),
                      ScriptOutputLine(stream: .stderr, text: "dns update slow")]
        let launcher = ImmediateLauncher(outcome: LaunchOutcome(termination: .exited(0), output: output, outputLinesDropped: 2))
        let notify = NotifyDispatcher(
            preparer: ScriptPreparer(inspector: host, enableScriptSecurity: true, defaultCredentials: .root, environment: [:]),
            launcher: launcher, openFIFO: { _ in nil }, logger: RecordingLogHandler.logger(store))
        notify.enqueue(NotifyEvent(scope: .instance, name: "VI_1", state: .master, priority: 100),
                       spec: NotifySpec(generic: "/etc/keepalived/notify.sh"))
        await notify.drain()
        #expect(store.all == [
            "info notify /etc/keepalived/notify.sh stdout: 2026-01-02T03:04:05.678Z INSTANCE VI_1 MASTER 100 script.stream=stdout vrrp.instance=VI_1",
            "info notify /etc/keepalived/notify.sh stderr: dns update slow script.stream=stderr vrrp.instance=VI_1",
            "info notify /etc/keepalived/notify.sh: 2 more output line(s) not logged vrrp.instance=VI_1",
        ])
    }

    @Test func shutdownUsesTheStopTimeout() async {
        let launcher = ScriptedLauncher()
        let notify = NotifyDispatcher(
            preparer: ScriptPreparer(inspector: FakeHost.standard(scripts: ["stop.sh"]), enableScriptSecurity: true, defaultCredentials: .root, environment: [:]),
            launcher: launcher, openFIFO: { _ in nil },
            configuration: .init(timeout: .seconds(30), stopTimeout: .milliseconds(500)))
        let stopSpec = NotifySpec(stop: "/etc/keepalived/stop.sh")
        let done = Task {
            await notify.shutdown(stopping: [(NotifyEvent(scope: .instance, name: "A", state: .stop, priority: 100), stopSpec)])
        }
        await launcher.waitForLaunches(1)
        #expect(launcher.requests[0].timeout == .milliseconds(500))
        launcher.finish(0, exit: 0)
        await done.value
        #expect(notify.statistics.outstanding == 0)
    }

    @Test func missingNotifyScriptIsReportedAndSkipped() async {
        let notify = dispatcher(ImmediateLauncher(), fifo: RecordingFIFO())
        let broken = NotifySpec(master: "/etc/keepalived/missing.sh")
        #expect(notify.problems(in: broken) == [.notFound(path: "/etc/keepalived/missing.sh")])
        notify.enqueue(NotifyEvent(scope: .instance, name: "A", state: .master, priority: 1), spec: broken)
        await notify.drain()
        #expect(notify.statistics.refused == 1)
    }
}
