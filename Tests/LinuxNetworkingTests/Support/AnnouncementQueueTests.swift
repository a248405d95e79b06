import Synchronization
import Testing
@testable import LinuxNetworking

/// The node's one queue of pending announcement rounds (no network needed).
@Suite struct AnnouncementQueueTests {
    /// Records each call with its time and reports it on a stream.
    final class Recorder: Sendable {
        let calls = Mutex<[(String, ContinuousClock.Instant)]>([])
        let (stream, continuation) = AsyncStream.makeStream(of: String.self)
        func send(_ name: String) -> @Sendable () -> Void {
            { self.calls.withLock { $0.append((name, .now)) }; self.continuation.yield(name) }
        }
        func next(_ count: Int) async -> [String] {
            var it = stream.makeAsyncIterator(), got: [String] = []
            while got.count < count, let n = await it.next() { got.append(n) }
            return got
        }
        func times(of name: String) -> [ContinuousClock.Instant] { calls.withLock { $0.filter { $0.0 == name }.map(\.1) } }
    }

    @Test("garp_master_repeat rounds at once, the same again after garp_master_delay, then the job is done")
    func burstThenDelayedBurst() async {
        let queue = AnnouncementQueue<Int>(), r = Recorder()
        queue.schedule(.init(rounds: 2, then: (after: .milliseconds(50), rounds: 3), send: r.send("a")), for: 1)
        #expect(await r.next(5) == ["a", "a", "a", "a", "a"])
        let t = r.times(of: "a")
        #expect(t.count == 5 && t[1].duration(to: t[2]) >= .milliseconds(50),
                "the second burst waited garp_master_delay after the first (a lower bound: timers never fire early)")
        // The job is gone once its last round is out.
        #expect(queue.pending == 0)
    }

    @Test("Cancelling a virtual router's schedule drops its delayed burst; others still run")
    func cancelDropsTheDelayedBurst() async {
        let queue = AnnouncementQueue<Int>(), r = Recorder()
        // Stepping down right after a takeover: the garp_master_delay burst is pending.
        queue.schedule(.init(rounds: 0, then: (after: .milliseconds(50), rounds: 2), send: r.send("cancelled")), for: 1)
        queue.cancel { $0 == 1 }
        #expect(queue.pending == 0)
        // A later job on another key: the queue serves jobs in due order, so by its round
        // the cancelled burst's time has passed.
        queue.schedule(.init(rounds: 0, then: (after: .milliseconds(150), rounds: 1), send: r.send("sentinel")), for: 2)
        #expect(await r.next(1) == ["sentinel"])
        #expect(r.times(of: "cancelled").isEmpty)
    }

    @Test("Scheduling the same virtual router again replaces its pending schedule")
    func rescheduleReplaces() async {
        let queue = AnnouncementQueue<Int>(), r = Recorder()
        queue.schedule(.init(rounds: 0, then: (after: .milliseconds(60), rounds: 1), send: r.send("old")), for: 7)
        queue.schedule(.init(rounds: 0, then: (after: .milliseconds(10), rounds: 1), send: r.send("new")), for: 7)
        queue.schedule(.init(rounds: 0, then: (after: .milliseconds(150), rounds: 1), send: r.send("sentinel")), for: 8)
        #expect(await r.next(2) == ["new", "sentinel"])
        #expect(r.times(of: "old").isEmpty)
    }
}

extension AnnouncementQueueTests {
    @Test("Jobs due together go out oldest first: a takeover's first-round parts, then the rest of its schedule")
    func dueJobsGoOutOldestFirst() async {
        let queue = AnnouncementQueue<Int>(), r = Recorder()
        // All due at the same timer event (in 30 ms), in the order they were queued,
        // under keys whose hash order is not that order.
        let base = ContinuousClock.now + .milliseconds(30)
        for part in 1...12 {
            queue.schedule(.init(rounds: 1, due: base + .microseconds(part), send: r.send("part \(part)")), for: part * 7919)
        }
        queue.schedule(.init(rounds: 2, due: base + .microseconds(13), send: r.send("rest")), for: 0)
        #expect(await r.next(14) == (1...12).map { "part \($0)" } + ["rest", "rest"])
    }
}
