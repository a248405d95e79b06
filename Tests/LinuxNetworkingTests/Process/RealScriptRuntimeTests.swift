import FailoverRuntime
import FailoverTestKit
import Glibc
import LinuxNetworking
import Testing
import VRRPCore

/// The runtime (scheduler, dispatcher, preparer) over the real launcher and filesystem.
@Suite struct RealScriptRuntimeTests {
    func preparer(security: Bool = true) -> ScriptPreparer {
        ScriptPreparer(inspector: LinuxScriptHostInspector(), enableScriptSecurity: security, defaultCredentials: .root,
                       environment: ["PATH": "/usr/bin:/bin"], killGrace: .milliseconds(100))
    }

    /// A check that hangs forever still produces one failed report per interval,
    /// each within timeout + grace, and leaves nothing running.
    @Test func hungCheckScriptFailsOnScheduleAndLeavesNothingBehind() async {
        let dir = ScriptDirectory()
        defer { dir.remove() }
        let script = dir.write("hang.sh", "#!/bin/sh\necho $$ >> \(dir.path)/pids\nsleep 30 &\nexec sleep 30\n")
        let spec = CheckScriptSpec(name: "chk_hang", commandLine: script, interval: .milliseconds(200), timeout: .milliseconds(100))
        let scheduler = CheckScriptScheduler(clock: ContinuousClock(), launcher: LinuxProcessLauncher(), tcpProbe: LinuxTCPConnectProbe())
        scheduler.start([preparer().prepare(spec)])
        var reports: [CheckScriptScheduler<ContinuousClock>.Report] = []
        for await report in scheduler.reports {
            reports.append(report)
            if reports.count == 3 { break }
        }
        await scheduler.stop()
        #expect(reports.map(\.sequence) == [1, 2, 3])
        #expect(reports.allSatisfy { !$0.succeeded })
        for report in reports {
            guard case .process(let outcome) = report.detail else { Issue.record("\(report.detail)"); continue }
            #expect(outcome.timedOut)
            // Ended by the timeout, not by the script (30 s): room for a loaded machine.
            #expect(outcome.duration < .seconds(10))
            if let pid = outcome.processID { #expect(ProcessTable.members(ofProcessGroup: pid).isEmpty) }
        }
        let status = scheduler.status()[0]
        #expect(status.timeouts >= 3)
        #expect(status.state == .down)
        #expect(status.runsInFlight == 0)
    }

    /// Driven by a manual clock, one interval at a time once the scheduler sleeps, so
    /// exactly one run is in flight at a time.
    @Test func riseAndFallFollowTheScriptsExitCodes() async {
        let dir = ScriptDirectory()
        defer { dir.remove() }
        let script = dir.write("code.sh", "#!/bin/sh\nexit $(cat \(dir.path)/code)\n")
        let spec = CheckScriptSpec(name: "chk_seq", commandLine: script, interval: .seconds(1), timeout: .seconds(10),
                                   rise: 2, fall: 2)
        let clock = ManualClock()
        let scheduler = CheckScriptScheduler(clock: clock, launcher: LinuxProcessLauncher(), tcpProbe: LinuxTCPConnectProbe())
        var transitions: [RiseFall.Status] = []
        var iterator = scheduler.reports.makeAsyncIterator()
        for (index, code) in [0, 0, 1, 1, 0, 3, 0, 0].enumerated() {
            dir.write("code", "\(code)\n", mode: 0o644)
            if index == 0 {
                scheduler.start([preparer().prepare(spec)])
            } else {
                await clock.waitForSleepers(1)
                clock.advance(by: spec.interval)
            }
            guard let report = await iterator.next() else { break }
            #expect(report.succeeded == (code == 0))
            if let transition = report.transition { transitions.append(transition) }
        }
        await scheduler.stop()
        #expect(transitions == [.up, .down, .up])
    }

    @Test func scriptSecurityRefusesAWorldWritableDirectory() {
        let dir = ScriptDirectory()
        defer { dir.remove() }
        let script = dir.write("check.sh", "#!/bin/sh\nexit 0\n")
        chmod(dir.path, 0o777)
        let prepared = preparer().prepare(CheckScriptSpec(name: "chk", commandLine: script))
        #expect(prepared.loadError == .insecure(path: script, component: dir.path, reason: "is writable by others (mode 777)"))
        #expect(prepared.loadError?.description == "refusing script '\(script)': it would run as root but path component '\(dir.path)' is writable by others (mode 777) (enable_script_security)")
    }

    @Test(.enabled(if: ProcessLab.isRoot, "chown needs root"))
    func scriptSecurityRefusesAScriptOwnedByNonRoot() {
        let dir = ScriptDirectory()
        defer { dir.remove() }
        let script = dir.write("check.sh", "#!/bin/sh\nexit 0\n")
        chown(script, 65534, 65534)
        let prepared = preparer().prepare(CheckScriptSpec(name: "chk", commandLine: script))
        #expect(prepared.loadError == .insecure(path: script, component: script, reason: "is owned by non-root uid 65534 (mode 755)"))
    }

    @Test func secureScriptUnderTmpIsAccepted() {
        // /tmp is world-writable but sticky: allowed, as keepalived does.
        let dir = ScriptDirectory()
        defer { dir.remove() }
        let script = dir.write("check.sh", "#!/bin/sh\nexit 0\n")
        #expect(preparer().prepare(CheckScriptSpec(name: "chk", commandLine: script)).loadError == nil)
    }

    @Test func missingAndNonExecutableScriptsAreReportedAtLoad() {
        let dir = ScriptDirectory()
        defer { dir.remove() }
        let plain = dir.write("plain.sh", "#!/bin/sh\nexit 0\n", mode: 0o644)
        #expect(preparer().prepare(CheckScriptSpec(name: "a", commandLine: dir.path + "/gone.sh")).loadError
            == .notFound(path: dir.path + "/gone.sh"))
        #expect(preparer().prepare(CheckScriptSpec(name: "b", commandLine: plain)).loadError
            == .notExecutable(path: plain, uid: 0, gid: 0))
    }

    /// Flapping MASTER→BACKUP→MASTER within microseconds, a notify script that takes
    /// a while: the script sees the states strictly in order, once each; the FIFO
    /// gets the same sequence; enqueue returned long before the scripts finished.
    @Test func flappingInstanceWithSlowNotifyScriptIsDeliveredInOrder() async {
        let dir = ScriptDirectory()
        defer { dir.remove() }
        // Each run waits for the test's gate file, so "still running" is an event, not a timing.
        let notifyScript = dir.write("notify.sh", "#!/bin/sh\nwhile [ ! -e \(dir.path)/gate ]; do sleep 0.01; done\nsleep 0.05\necho \"$*\" >> \(dir.path)/log\n")
        let masterScript = dir.write("master.sh", "#!/bin/sh\necho \"master $*\" >> \(dir.path)/log\n")
        let fifoPath = dir.path + "/notify.fifo"
        let spec = NotifySpec(master: masterScript + " up", generic: notifyScript, fifoPath: fifoPath)
        let dispatcher = NotifyDispatcher(preparer: preparer(), launcher: LinuxProcessLauncher(),
                                          openFIFO: { LinuxNotifyFIFO(path: $0) })
        let states: [(NotifyEvent.State, Int)] = [(.master, 100), (.backup, 100), (.master, 100)]
        for (state, priority) in states {
            dispatcher.enqueue(NotifyEvent(scope: .instance, name: "VI_1", state: state, priority: priority), spec: spec)
        }
        // enqueue is synchronous and returned while the first notify script is blocked on the gate.
        #expect(dispatcher.statistics.outstanding == 3)
        dir.write("gate", "", mode: 0o644)
        await dispatcher.drain()
        #expect(dir.read("log") == """
            master up
            INSTANCE VI_1 MASTER 100
            INSTANCE VI_1 BACKUP 100
            master up
            INSTANCE VI_1 MASTER 100

            """)
        // No reader was attached: the lines wait in the FIFO (opened O_RDWR like keepalived).
        let fd = open(fifoPath, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let n = read(fd, &buffer, buffer.count)
        #expect(String(decoding: buffer[0..<max(0, n)], as: UTF8.self) == """
            INSTANCE "VI_1" MASTER 100
            INSTANCE "VI_1" BACKUP 100
            INSTANCE "VI_1" MASTER 100

            """)
    }

    /// A hung notify is cut at the timeout (+ grace) and the queue moves on.
    @Test func hangingNotifyScriptIsBoundedByItsTimeout() async {
        let dir = ScriptDirectory()
        defer { dir.remove() }
        let hang = dir.write("hang.sh", "#!/bin/bash\ntrap '' TERM\necho \"$*\" >> \(dir.path)/log\nsleep 30\n")
        let spec = NotifySpec(generic: hang)
        let dispatcher = NotifyDispatcher(preparer: preparer(), launcher: LinuxProcessLauncher(), openFIFO: { _ in nil },
                                          configuration: .init(timeout: .milliseconds(100), stopTimeout: .milliseconds(50)))
        dispatcher.enqueue(NotifyEvent(scope: .instance, name: "VI_1", state: .master, priority: 100), spec: spec)
        dispatcher.enqueue(NotifyEvent(scope: .instance, name: "VI_1", state: .backup, priority: 100), spec: spec)
        await dispatcher.drain()
        #expect(dir.read("log") == "INSTANCE VI_1 MASTER 100\nINSTANCE VI_1 BACKUP 100\n")
        #expect(dispatcher.statistics.scriptTimeouts == 2)
    }
}
