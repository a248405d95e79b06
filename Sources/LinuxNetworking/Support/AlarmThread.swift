import CLinuxShim
import FailoverRuntime
import Glibc
import Synchronization

/// The engine's alarm on a thread of its own: the thread waits on a timerfd set to the
/// absolute deadline (CLOCK_BOOTTIME, like `ContinuousClock`), and is also a task
/// executor, so the alarm's task — and the engine actor it enters — runs in that
/// same wake-up. The path from the expired Master_Down_Timer to the takeover advert
/// is then one kernel wake-up, as in keepalived's epoll loop, instead of a Dispatch
/// timer thread, a cooperative-pool thread and a task hop.
///
/// Lives as long as the process (the daemon makes one); `set(nil)` disarms it.
public final class AlarmThread: EngineAlarm, TaskExecutor, @unchecked Sendable {
    // @unchecked: the descriptors are immutable after init; jobs and action are in Mutexes.
    private let timerDescriptor: Int32
    /// An eventfd written whenever a job is enqueued from another thread.
    private let wakeDescriptor: Int32
    private let jobs = Mutex<[UnownedJob]>([])
    private let action = Mutex<(@Sendable () async -> Void)?>(nil)
    /// Times the timerfd fired (for tests and diagnostics).
    private let fired = Atomic<Int>(0)
    /// The alarm thread's `pthread_self()`, once it runs.
    private let thread = Atomic<UInt>(0)

    public init() throws {
        timerDescriptor = try check(timerfd_create(CLOCK_BOOTTIME, clinux_TFD_CLOEXEC), "timerfd_create", "alarm")
        do {
            wakeDescriptor = try check(eventfd(0, clinux_EFD_CLOEXEC), "eventfd", "alarm")
        } catch {
            _ = Glibc.close(timerDescriptor)
            throw error
        }
        var thread = pthread_t()
        let context = Unmanaged.passRetained(self).toOpaque()
        let rc = pthread_create(&thread, nil, { raw in
            Unmanaged<AlarmThread>.fromOpaque(raw!).takeRetainedValue().loop()
            return nil
        }, context)
        guard rc == 0 else {
            Unmanaged<AlarmThread>.fromOpaque(context).release()
            _ = Glibc.close(timerDescriptor)
            _ = Glibc.close(wakeDescriptor)
            throw LinuxNetworkingError.systemCall(name: "pthread_create", errno: rc, context: "alarm")
        }
        pthread_detach(thread)
    }

    /// How many times the alarm went off.
    public var firedCount: Int { fired.load(ordering: .relaxed) }

    public func onAlarm(_ action: @escaping @Sendable () async -> Void) {
        self.action.withLock { $0 = action }
    }

    public func set(_ deadline: ContinuousClock.Instant?) {
        var spec = itimerspec()  // all zero: disarmed
        if let deadline {
            var now = timespec()
            clock_gettime(CLOCK_BOOTTIME, &now)
            let (seconds, attoseconds) = ContinuousClock.now.duration(to: deadline).components
            let delta = max(seconds * 1_000_000_000 + attoseconds / 1_000_000_000, 0)
            // One microsecond of margin: the two clock readings differ by nanoseconds, and
            // an alarm that went off early would only find nothing due yet.
            let target = Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec) + delta + 1_000
            spec.it_value = timespec(tv_sec: Int(target / 1_000_000_000), tv_nsec: Int(target % 1_000_000_000))
        }
        _ = timerfd_settime(timerDescriptor, clinux_TFD_TIMER_ABSTIME, &spec, nil)
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        jobs.withLock { $0.append(job) }
        // A job enqueued by the alarm thread itself (the alarm's task, its hop into the
        // engine) runs in the current wake-up: no eventfd write needed.
        guard pthread_self() != thread.load(ordering: .relaxed) else { return }
        var one: UInt64 = 1
        _ = write(wakeDescriptor, &one, 8)
    }

    private func loop() {
        clinux_name_thread("ipf-alarm")
        thread.store(pthread_self(), ordering: .relaxed)
        var descriptors = [pollfd(fd: timerDescriptor, events: Int16(POLLIN), revents: 0),
                           pollfd(fd: wakeDescriptor, events: Int16(POLLIN), revents: 0)]
        var counter: UInt64 = 0
        while true {
            let n = poll(&descriptors, 2, -1)
            if n < 0 { continue }  // EINTR
            if descriptors[0].revents & Int16(POLLIN) != 0, read(timerDescriptor, &counter, 8) == 8 {
                fired.add(1, ordering: .relaxed)
                if let action = action.withLock({ $0 }) {
                    // Enqueued here, on this executor: it runs below, in this wake-up.
                    Task(executorPreference: self) { await action() }
                }
            }
            if descriptors[1].revents & Int16(POLLIN) != 0 { _ = read(wakeDescriptor, &counter, 8) }
            runJobs()
        }
    }

    private func runJobs() {
        while true {
            let batch = jobs.withLock { j -> [UnownedJob] in defer { j.removeAll(keepingCapacity: true) }; return j }
            if batch.isEmpty { return }
            for job in batch { job.runSynchronously(on: asUnownedTaskExecutor()) }
        }
    }
}
