@testable import FailoverRuntime
import FailoverTestKit
import Testing
import VRRPCore
import VRRPWire

@Suite struct CheckScriptSchedulerTests {
    func prepared(_ name: String = "chk", interval: Duration = .milliseconds(100), timeout: Duration? = nil,
                  rise: Int = 1, fall: Int = 1, initFail: Bool = false) -> PreparedCheckScript {
        let spec = CheckScriptSpec(name: name, commandLine: "/etc/keepalived/\(name).sh", interval: interval,
                                   timeout: timeout, rise: rise, fall: fall, initFail: initFail)
        let request = LaunchRequest(executablePath: spec.commandLine, arguments: [spec.commandLine], environment: [:],
                                    timeout: spec.effectiveTimeout, killGrace: .milliseconds(50))
        return PreparedCheckScript(spec: spec, probe: .process(request))
    }

    /// keepalived #1364: a run that never ends must not stop later runs from starting.
    @Test func hungScriptNeverFreezesTheSchedule() async {
        let clock = ManualClock()
        let launcher = ScriptedLauncher()
        let scheduler = CheckScriptScheduler(clock: clock, launcher: launcher, tcpProbe: UnusedProbe())
        scheduler.start([prepared()])
        await launcher.waitForLaunches(1)
        for tick in 2...4 {
            await clock.waitForSleepers(1)
            clock.advance(by: .milliseconds(100))
            await launcher.waitForLaunches(tick)
        }
        #expect(launcher.launchCount == 4)
        #expect(scheduler.status()[0].runsInFlight == 4)
        #expect(!launcher.isFinished(0))
        await scheduler.stop()
        #expect(scheduler.status()[0].runsInFlight == 0)
    }

    /// SIGTERM with a check in flight: the run stop() cancels is not a failure of the
    /// service, so it is never reported — the engine would have gone FAULT (and
    /// notified FAULT) just before STOP.
    @Test func runsCancelledByStopAreNotReported() async {
        let clock = ManualClock()
        let launcher = ScriptedLauncher()
        let scheduler = CheckScriptScheduler(clock: clock, launcher: launcher, tcpProbe: UnusedProbe())
        scheduler.start([prepared()])
        await launcher.waitForLaunches(1)
        launcher.finish(0, exit: 0)
        var iterator = scheduler.reports.makeAsyncIterator()
        #expect(await iterator.next()?.succeeded == true)
        await clock.waitForSleepers(1)
        clock.advance(by: .milliseconds(100))
        await launcher.waitForLaunches(2)
        await scheduler.stop()
        #expect(await iterator.next() == nil, "the cancelled run was reported")
        #expect(scheduler.status()[0].runsInFlight == 0)
        #expect(scheduler.status()[0].failures == 0)
    }

    /// With timeout > interval runs overlap; reports still come in start order.
    @Test func reportsArriveInRunOrderEvenWhenRunsFinishOutOfOrder() async {
        let clock = ManualClock()
        let launcher = ScriptedLauncher()
        let scheduler = CheckScriptScheduler(clock: clock, launcher: launcher, tcpProbe: UnusedProbe())
        scheduler.start([prepared(timeout: .milliseconds(250))])
        await launcher.waitForLaunches(1)
        await clock.waitForSleepers(1)
        clock.advance(by: .milliseconds(100))
        await launcher.waitForLaunches(2)
        launcher.finish(1, exit: 0)
        launcher.finish(0, exit: 1)
        var iterator = scheduler.reports.makeAsyncIterator()
        let first = await iterator.next()
        let second = await iterator.next()
        #expect(first?.sequence == 1)
        #expect(first?.succeeded == false)
        #expect(second?.sequence == 2)
        #expect(second?.succeeded == true)
        await scheduler.stop()
    }

    @Test func riseAndFallThroughStatus() async {
        let clock = ManualClock()
        let launcher = ScriptedLauncher()
        let scheduler = CheckScriptScheduler(clock: clock, launcher: launcher, tcpProbe: UnusedProbe())
        scheduler.start([prepared(rise: 2, fall: 2)])
        var iterator = scheduler.reports.makeAsyncIterator()
        let exits: [Int32] = [0, 0, 1, 1, 0]
        var states: [RiseFall.Status] = []
        var transitions: [RiseFall.Status?] = []
        for (index, code) in exits.enumerated() {
            if index > 0 {
                await clock.waitForSleepers(1)
                clock.advance(by: .milliseconds(100))
            }
            await launcher.waitForLaunches(index + 1)
            launcher.finish(index, exit: code)
            let report = await iterator.next()
            states.append(report!.state)
            transitions.append(report!.transition)
        }
        // The first result decides; then fall = 2 failures in a row take it down.
        #expect(states == [.up, .up, .up, .down, .down])
        #expect(transitions == [.up, nil, nil, .down, nil])
        let status = scheduler.status()[0]
        #expect(status.runsCompleted == 5)
        #expect(status.failures == 2)
        #expect(status.consecutiveSuccesses == 1)
        await scheduler.stop()
    }

    @Test func initFailStartsDown() async {
        let scheduler = CheckScriptScheduler(clock: ManualClock(), launcher: ScriptedLauncher(), tcpProbe: UnusedProbe())
        scheduler.start([prepared(initFail: true)])
        #expect(scheduler.status()[0].state == .down)
        await scheduler.stop()
    }

    @Test func timeoutIsCountedAndReportedWithStderr() async {
        let clock = ManualClock()
        let launcher = ScriptedLauncher()
        let scheduler = CheckScriptScheduler(clock: clock, launcher: launcher, tcpProbe: UnusedProbe())
        scheduler.start([prepared()])
        await launcher.waitForLaunches(1)
        launcher.finish(0, with: LaunchOutcome(termination: .signaled(9), timedOut: true, duration: .milliseconds(150),
                                               stderrTail: ["stuck on lock"]))
        var iterator = scheduler.reports.makeAsyncIterator()
        let report = await iterator.next()!
        #expect(!report.succeeded)
        #expect(report.summary == "chk: timed out after 0.15 seconds (killed by signal 9); stderr: stuck on lock")
        let status = scheduler.status()[0]
        #expect(status.timeouts == 1)
        #expect(status.lastStderrTail == ["stuck on lock"])
        await scheduler.stop()
    }

    /// keepalived disables a script it cannot run ("Disabling track script …"): it is
    /// never started, and its status says why.
    @Test func disabledScriptIsNeverRun() async {
        let clock = ManualClock()
        let launcher = ScriptedLauncher()
        let scheduler = CheckScriptScheduler(clock: clock, launcher: launcher, tcpProbe: UnusedProbe())
        let spec = CheckScriptSpec(name: "off", commandLine: "/nope")
        scheduler.start([PreparedCheckScript(spec: spec, probe: .disabled(.notFound(path: "/nope"))), prepared()])
        // The live script's schedule proves the scheduler ran its first tick.
        await launcher.waitForLaunches(1)
        await clock.waitForSleepers(1)
        #expect(launcher.launchCount == 1)
        #expect(launcher.requests[0].executablePath == "/etc/keepalived/chk.sh")
        let status = scheduler.status()
        #expect(status.map(\.name) == ["off", "chk"])
        #expect(status[0].displayState == "disabled")
        #expect(status[0].loadError == .notFound(path: "/nope"))
        #expect(status[0].runsStarted == 0)
        await scheduler.stop()
    }

    /// A run the daemon could not start (EMFILE on the pipe, EAGAIN on fork) says
    /// nothing about the service: it is counted, the verdict stays, the next tick retries.
    @Test func runTheDaemonCouldNotStartLeavesTheVerdictAlone() async {
        let clock = ManualClock()
        let launcher = ScriptedLauncher()
        let scheduler = CheckScriptScheduler(clock: clock, launcher: launcher, tcpProbe: UnusedProbe())
        scheduler.start([prepared()])
        var iterator = scheduler.reports.makeAsyncIterator()
        await launcher.waitForLaunches(1)
        launcher.finish(0, exit: 0)
        #expect(await iterator.next()?.state == .up)
        await clock.waitForSleepers(1)
        clock.advance(by: .milliseconds(100))
        await launcher.waitForLaunches(2)
        launcher.finish(1, with: LaunchOutcome(termination: .resourceExhausted("pipe: Too many open files")))
        let skipped = await iterator.next()
        #expect(skipped?.isResult == false)
        #expect(skipped?.state == .up)
        #expect(skipped?.transition == nil)
        await clock.waitForSleepers(1)
        clock.advance(by: .milliseconds(100))
        await launcher.waitForLaunches(3)  // retried at the next tick
        launcher.finish(2, exit: 0)
        #expect(await iterator.next()?.isResult == true)
        let status = scheduler.status()[0]
        #expect(status.state == .up)
        #expect(status.failures == 0)
        #expect(status.spawnFailures == 1)
        #expect(status.lastSpawnFailure == "pipe: Too many open files")
        await scheduler.stop()
    }

    /// One shared check feeds every instance that tracks it: one run per tick, not one per instance.
    @Test func sharedCheckRunsOncePerTick() async {
        let clock = ManualClock()
        let launcher = ScriptedLauncher()
        let scheduler = CheckScriptScheduler(clock: clock, launcher: launcher, tcpProbe: UnusedProbe())
        scheduler.start([prepared(), prepared()])  // the same name twice is one schedule
        await launcher.waitForLaunches(1)
        await clock.waitForSleepers(1)
        #expect(launcher.launchCount == 1)
        await scheduler.stop()
    }

    /// SIGHUP reload: an unchanged script keeps its schedule and rise/fall state,
    /// a removed one stops (its run in flight is terminated), a new one starts.
    @Test func reloadKeepsUnchangedScriptsUntouched() async {
        let clock = ManualClock()
        let launcher = ScriptedLauncher()
        let scheduler = CheckScriptScheduler(clock: clock, launcher: launcher, tcpProbe: UnusedProbe())
        let kept = prepared("kept"), removed = prepared("removed")
        scheduler.start([kept, removed])
        await launcher.waitForLaunches(2)
        let keptIndex = launcher.requests.firstIndex { $0.executablePath.hasSuffix("kept.sh") }!
        let removedIndex = 1 - keptIndex
        launcher.finish(keptIndex, exit: 0)
        var iterator = scheduler.reports.makeAsyncIterator()
        #expect(await iterator.next()?.state == .up)
        await scheduler.update([kept, prepared("added")])
        #expect(launcher.isFinished(removedIndex))  // terminated by the reload
        await launcher.waitForLaunches(3)
        #expect(launcher.requests[2].executablePath.hasSuffix("added.sh"))
        let status = scheduler.status()
        #expect(status.map(\.name) == ["kept", "added"])
        #expect(status[0].state == .up)
        #expect(status[0].runsStarted == 1)
        await scheduler.stop()
    }

    /// The native default check cannot open a socket (EMFILE): not a failed check.
    @Test func tcpCheckWithoutADescriptorIsNotAFailure() async {
        struct ExhaustedProbe: TCPConnectProbe {
            func connect(to address: IPAddress, port: UInt16, timeout: Duration) async -> TCPConnectResult {
                .resourceExhausted("socket: Too many open files")
            }
        }
        let scheduler = CheckScriptScheduler(clock: ManualClock(), launcher: ScriptedLauncher(), tcpProbe: ExhaustedProbe())
        let spec = CheckScriptSpec(name: "chk", commandLine: "/bin/bash -c '</dev/tcp/192.0.2.1/80'")
        scheduler.start([PreparedCheckScript(spec: spec, probe: .tcpConnect(address: IPAddress("192.0.2.1")!, port: 80,
                                                                             timeout: .milliseconds(900)))])
        var iterator = scheduler.reports.makeAsyncIterator()
        let report = await iterator.next()
        #expect(report?.isResult == false)
        #expect(scheduler.status()[0].failures == 0)
        #expect(scheduler.status()[0].spawnFailures == 1)
        await scheduler.stop()
    }
}
