import Dispatch
import Synchronization

/// The pending rounds of every announcement burst of the node, sent from one serial
/// queue under one timer, not a task per burst: a takeover of 255 instances would
/// start 255 tasks, each alive through `garp_master_delay` (5 s), whose task
/// allocators and copied task-locals come to about half a MiB of peak RSS.
///
/// A job is one burst's remaining rounds (sent back to back, one per timer event, so
/// other jobs interleave) and optionally one later burst. Scheduling a key again
/// replaces its job; cancelling drops it — a round already being sent finishes, as a
/// sent frame cannot be recalled anyway.
final class AnnouncementQueue<Key: Hashable & Sendable>: @unchecked Sendable {
    // @unchecked: `timer` is only touched on `queue`; the jobs are in a Mutex.

    struct Job: Sendable {
        /// Sends one round.
        var send: @Sendable () -> Void
        /// When the next round is due.
        var due: ContinuousClock.Instant
        /// Rounds left in the current burst.
        var rounds: Int
        /// The burst after this one: its delay (from the end of this one) and rounds.
        var then: (after: Duration, rounds: Int)?

        init(rounds: Int, due: ContinuousClock.Instant = .now, then: (after: Duration, rounds: Int)? = nil,
             send: @escaping @Sendable () -> Void) {
            self.send = send
            self.due = due
            self.rounds = rounds
            self.then = then
        }
    }

    private let jobs = Mutex<[Key: Job]>([:])
    private let queue = DispatchQueue(label: "ipfailover.announcements")
    private let timer: any DispatchSourceTimer

    init() {
        timer = DispatchSource.makeTimerSource(queue: queue)
        timer.setEventHandler { [weak self] in self?.fire() }
        timer.activate()
    }

    deinit { timer.cancel() }

    /// Replaces the job of `key` (a master that re-announces starts over).
    func schedule(_ job: Job, for key: Key) {
        guard job.rounds > 0 || job.then != nil else {
            jobs.withLock { $0[key] = nil }
            return
        }
        jobs.withLock { $0[key] = job }
        queue.async { self.rearm() }
    }

    /// Drops the jobs whose key matches.
    func cancel(where matches: (Key) -> Bool) {
        jobs.withLock { j in
            for key in j.keys where matches(key) { j[key] = nil }
        }
    }

    /// Jobs not finished yet.
    var pending: Int { jobs.withLock { $0.count } }

    /// On `queue`: one round of each due job, then the timer for the next.
    private func fire() {
        let now = ContinuousClock.now
        // Oldest first: the parts of a first round, queued one after the other while
        // a group's VIPs are being added, go out in that order and before the rest
        // of the schedule, which is queued after them.
        let due = jobs.withLock { j in
            j.filter { $0.value.due <= now }.sorted { $0.value.due < $1.value.due }.map(\.key)
        }
        for key in due {
            // Taken one at a time: a job cancelled while another job's round was sent
            // sends nothing more.
            let send = jobs.withLock { j -> (@Sendable () -> Void)? in
                guard var job = j[key], job.due <= now else { return nil }
                if job.rounds > 0 {
                    job.rounds -= 1
                    let send = job.send
                    if job.rounds == 0, job.then == nil { j[key] = nil } else { j[key] = job }
                    return send
                }
                // The current burst is over: wait for the next one.
                if let then = job.then {
                    job.due = now.advanced(by: then.after)
                    job.rounds = then.rounds
                    job.then = nil
                    j[key] = job
                }
                return nil
            }
            send?()
        }
        rearm()
    }

    /// On `queue`: aims the timer at the earliest due job.
    private func rearm() {
        guard let next = jobs.withLock({ $0.values.map(\.due).min() }) else {
            timer.schedule(deadline: .distantFuture, leeway: .seconds(1))
            return
        }
        let (seconds, attoseconds) = ContinuousClock.now.duration(to: next).components
        let nanoseconds = max(0, seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
        timer.schedule(deadline: .now() + .nanoseconds(Int(nanoseconds)), leeway: .nanoseconds(0))
    }
}
