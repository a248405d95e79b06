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

    final class Sentinel: Sendable {}

    @Test("Each alarm leaves nothing of its action behind: once the action is replaced, what it captured is freed")
    func alarmLeavesNothingOfItsActionBehind() async throws {
        let alarm = try EngineThread()
        let (stream, continuation) = AsyncStream.makeStream(of: Bool.self)
        var calls = stream.makeAsyncIterator()
        weak var captured: Sentinel?
        do {
            let sentinel = Sentinel()
            captured = sentinel
            alarm.onAlarm { withExtendedLifetime(sentinel) { _ = continuation.yield(false) } }
        }
        for _ in 0..<20 {
            alarm.set(ContinuousClock.now.advanced(by: .milliseconds(-1)))
            _ = await calls.next()
        }
        #expect(captured != nil, "the action holds it")
        alarm.onAlarm { _ = continuation.yield(true) }
        // The new action runs in a later wake-up than any call of the old one.
        alarm.set(ContinuousClock.now.advanced(by: .milliseconds(-1)))
        while let replaced = await calls.next(), !replaced {}
        #expect(captured == nil, "an alarm kept the old action alive")
    }

    @Test("A descriptor's handler is freed once unwatched and the loop has moved on: reads leave nothing of it behind")
    func unwatchedHandlerIsFreed() async throws {
        let thread = try EngineThread()
        let (reader, writer) = try Self.socketPair()
        defer { close(writer) }
        let (reads, report) = AsyncStream.makeStream(of: Int.self)
        var iterator = reads.makeAsyncIterator()
        weak var captured: Sentinel?
        do {
            let sentinel = Sentinel()
            captured = sentinel
            thread.watch(reader) { withExtendedLifetime(sentinel) { _ = report.yield(Self.drain(reader)) } }
        }
        for _ in 0..<20 {
            Self.send(writer)
            _ = await iterator.next()
        }
        #expect(captured != nil, "the handler holds it")
        thread.unwatchAndClose(reader)
        // A wake-up after the unwatch: the loop rebuilds its poll set before the alarm.
        let (alarms, fired) = AsyncStream.makeStream(of: Void.self)
        thread.onAlarm { fired.yield() }
        thread.set(ContinuousClock.now.advanced(by: .milliseconds(-1)))
        var alarmIterator = alarms.makeAsyncIterator()
        _ = await alarmIterator.next()
        #expect(captured == nil, "a read kept the unwatched handler alive")
    }

    @Test("A descriptor given up stays open until the loop no longer polls it: its number cannot go to another socket while a wake-up under way may still call the old handler")
    func descriptorGivenUpIsClosedOnceTheLoopHasMovedOn() async throws {
        let thread = try EngineThread()
        let (gate, gateWriter) = try Self.socketPair()
        let (given, givenWriter) = try Self.socketPair()
        defer { thread.unwatchAndClose(gate); close(gateWriter); close(givenWriter) }
        let release = DispatchSemaphore(value: 0)
        let (entered, enter) = AsyncStream.makeStream(of: Void.self)
        thread.watch(given) { _ = Self.drain(given) }
        // Holds the loop inside a wake-up, with `given` still in the poll set it polled.
        thread.watch(gate) {
            _ = Self.drain(gate)
            enter.yield()
            _ = release.wait(timeout: .now() + 30)
        }
        Self.send(gateWriter)
        for await _ in entered { break }
        // The socket's inode tells it from another file that took the number later.
        let socketInode = Self.inode(given)
        #expect(socketInode != nil)
        thread.unwatchAndClose(given)
        #expect(Self.inode(given) == socketInode, "closed while the wake-up that polled it is still under way")
        release.signal()
        // An alarm set now goes off in a later wake-up, which rebuilt the poll set.
        let (alarms, fired) = AsyncStream.makeStream(of: Void.self)
        thread.onAlarm { fired.yield() }
        thread.set(ContinuousClock.now)
        var alarmIterator = alarms.makeAsyncIterator()
        _ = await alarmIterator.next()
        #expect(Self.inode(given) != socketInode, "still open once the loop moved on")
    }

    /// The inode `fd` refers to; nil when it is not open.
    static func inode(_ fd: Int32) -> UInt? {
        var st = stat()
        return fstat(fd, &st) == 0 ? UInt(st.st_ino) : nil
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

    /// A datagram socket pair: what is written to `[1]` is readable on `[0]`.
    static func socketPair() throws -> (Int32, Int32) {
        var fds: [Int32] = [0, 0]
        #expect(socketpair(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0, &fds) == 0)
        _ = fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK)
        return (fds[0], fds[1])
    }

    /// Reads every datagram waiting on `fd`; how many there were.
    static func drain(_ fd: Int32) -> Int {
        var count = 0
        var byte: UInt8 = 0
        while recv(fd, &byte, 1, Int32(MSG_DONTWAIT)) >= 0 { count += 1 }
        return count
    }

    static func send(_ fd: Int32) { var byte: UInt8 = 1; _ = Glibc.send(fd, &byte, 1, 0) }

    @Test("Receive coalescing: what arrives within the window after a read is read in one go when the window ends")
    func coalescingReadsTheWindowInOneGo() async throws {
        let thread = try EngineThread()
        thread.receiveCoalescing = .milliseconds(500)
        let (reader, writer) = try Self.socketPair()
        defer { thread.unwatchAndClose(reader); close(writer) }
        let (reads, report) = AsyncStream.makeStream(of: (count: Int, at: ContinuousClock.Instant).self)
        let firstRead = Atomic<Bool>(true)
        thread.watch(reader) {
            report.yield((Self.drain(reader), ContinuousClock.now))
            // Sent while the first read is still running, so inside the window that
            // follows it however loaded the machine (a send from the test's task could
            // come after the window).
            if firstRead.exchange(false, ordering: .relaxed) { for _ in 0..<3 { Self.send(writer) } }
        }
        var iterator = reads.makeAsyncIterator()
        Self.send(writer)
        let first = await iterator.next()
        #expect(first?.count == 1)
        let second = await iterator.next()
        #expect(second?.count == 3, "three datagrams in one read, not three wake-ups")
        // Readable all along, they were left unread until the window ended; read at once,
        // they would come microseconds after the first. (A loaded machine only delays.)
        if let first, let second {
            #expect(second.at - first.at >= .milliseconds(450), "read \(second.at - first.at) after the first read")
        }
    }

    @Test("Receive coalescing never hides an advert from the timer: an expiring alarm reads the sockets before its action")
    func alarmReadsTheSocketsBeforeItsAction() async throws {
        let thread = try EngineThread()
        thread.receiveCoalescing = .seconds(30)
        let (reader, writer) = try Self.socketPair()
        defer { thread.unwatchAndClose(reader); close(writer) }
        let readCount = Atomic<Int>(0)
        let (events, report) = AsyncStream.makeStream(of: String.self)
        thread.watch(reader) {
            readCount.add(Self.drain(reader), ordering: .relaxed)
            report.yield("read")
        }
        thread.onAlarm { report.yield("alarm after \(readCount.load(ordering: .relaxed)) datagrams") }
        var iterator = events.makeAsyncIterator()
        Self.send(writer)
        #expect(await iterator.next() == "read")
        Self.send(writer)  // inside the 30 s window: unread until the alarm
        thread.set(ContinuousClock.now.advanced(by: .milliseconds(50)))
        var seen: [String] = []
        while let event = await iterator.next() {
            seen.append(event)
            if event.hasPrefix("alarm") { break }
        }
        #expect(seen == ["read", "alarm after 2 datagrams"])
    }
}
