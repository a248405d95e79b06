import FailoverRuntime
import Foundation
import LinuxNetworking
import Synchronization
import Testing

/// The daemon's engine alarm: a timerfd thread that is also a task executor.
@Suite struct EngineThreadTests {
    /// The name of the calling thread (`/proc/thread-self/comm`).
    static func threadName() -> String {
        ((try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8)) ?? "")
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// What one alarm call saw.
    struct Call: Sendable {
        var at: ContinuousClock.Instant
        var thread: String
    }

    /// Sets `alarm`'s action to report each call into the returned stream.
    static func calls(of alarm: EngineThread) -> AsyncStream<Call> {
        let (stream, continuation) = AsyncStream.makeStream(of: Call.self)
        alarm.onAlarm { continuation.yield(Call(at: .now, thread: threadName())) }
        return stream
    }

    @Test("The alarm goes off at its deadline, never before, and runs its action on its own thread")
    func alarmRunsItsActionOnItsOwnThreadAfterTheDeadline() async throws {
        let alarm = try EngineThread()
        var calls = Self.calls(of: alarm).makeAsyncIterator()
        let deadline = ContinuousClock.now.advanced(by: .milliseconds(20))
        alarm.set(deadline)
        let call = try #require(await calls.next())
        #expect(call.at >= deadline)
        #expect(call.thread == "ipf-engine", "the action runs in the alarm thread's own wake-up")
        #expect(alarm.firedCount == 1)
    }

    @Test("Setting the alarm again replaces the earlier deadline; nil disarms it")
    func settingTheAlarmReplacesTheEarlierDeadline() async throws {
        let alarm = try EngineThread()
        var calls = Self.calls(of: alarm).makeAsyncIterator()
        let now = ContinuousClock.now
        alarm.set(now.advanced(by: .milliseconds(10)))
        alarm.set(nil)
        let later = now.advanced(by: .milliseconds(40))
        alarm.set(later)
        let call = try #require(await calls.next())
        #expect(call.at >= later, "the disarmed 10 ms deadline never went off")
        #expect(alarm.firedCount == 1)
    }

    @Test("A deadline already past goes off at once")
    func pastDeadlineGoesOffAtOnce() async throws {
        let alarm = try EngineThread()
        var calls = Self.calls(of: alarm).makeAsyncIterator()
        alarm.set(ContinuousClock.now.advanced(by: .milliseconds(-5)))
        #expect(await calls.next() != nil)
    }

    /// An actor whose executor is the alarm thread, as the engine's is.
    actor Engine {
        let alarm: EngineThread
        init(alarm: EngineThread) { self.alarm = alarm }
        nonisolated var unownedExecutor: UnownedSerialExecutor { alarm.asUnownedSerialExecutor() }
        var fired: [String] = []
        func timerFired() { fired.append(EngineThreadTests.threadName()) }
        func whereAmI() -> String { EngineThreadTests.threadName() }
    }

    @Test("An actor on the alarm's executor runs its jobs on the alarm thread, whoever calls it")
    func actorJobsRunOnTheEngineThread() async throws {
        let engine = Engine(alarm: try EngineThread())
        #expect(await engine.whereAmI() == "ipf-engine")
    }

    @Test("The alarm action enters that actor synchronously (assumeIsolated) on the alarm thread, with no task")
    func alarmActionRunsTheActorInItsOwnWakeUp() async throws {
        let alarm = try EngineThread()
        let engine = Engine(alarm: alarm)
        let (stream, continuation) = AsyncStream.makeStream(of: Void.self)
        alarm.onAlarm {
            engine.assumeIsolated { $0.timerFired() }
            continuation.yield()
        }
        alarm.set(ContinuousClock.now)
        var rings = stream.makeAsyncIterator()
        _ = await rings.next()
        #expect(await engine.fired == ["ipf-engine"])
    }
}
