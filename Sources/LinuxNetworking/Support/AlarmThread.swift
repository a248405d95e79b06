import CLinuxShim
import FailoverRuntime
import Glibc
import Synchronization

/// The engine's home: one thread that is the engine actor's serial executor and its
/// alarm. It waits in `poll` on a timerfd set to the absolute deadline (CLOCK_BOOTTIME,
/// like `ContinuousClock`) and on an eventfd that other threads write when they
/// enqueue work for the engine. When the timerfd expires the thread calls the engine's
/// timer handler directly — no task is created and no executor hop is made — so the
/// path from the expired Master_Down_Timer to the takeover advert is one kernel
/// wake-up, as in keepalived's epoll loop. (A task per alarm plus the hop into the
/// actor measured about 60 µs of the ~100 µs from wake-up to `sendmsg`.)
///
/// Lives as long as the process (the daemon makes one); `set(nil)` disarms it.
public final class AlarmThread: EngineAlarm, @unchecked Sendable {
    // @unchecked: the descriptors are immutable after init; jobs and action are in
    // Mutexes, the thread id in an Atomic.
    private let timerDescriptor: Int32
    /// An eventfd written whenever a job is enqueued from another thread.
    private let wakeDescriptor: Int32
    private let jobs = Mutex<[UnownedJob]>([])
    private let action = Mutex<(@Sendable () -> Void)?>(nil)
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

    /// Whether the caller runs on the alarm thread.
    public var isCurrent: Bool { pthread_self() == thread.load(ordering: .relaxed) }

    public func onAlarm(_ action: @escaping @Sendable () -> Void) {
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

    // MARK: - SerialExecutor

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        jobs.withLock { $0.append(job) }
        // A job enqueued by the alarm thread itself runs before it next waits.
        guard !isCurrent else { return }
        var one: UInt64 = 1
        _ = write(wakeDescriptor, &one, 8)
    }

    public func asUnownedSerialExecutor() -> UnownedSerialExecutor {
        UnownedSerialExecutor(ordinary: self)
    }

    /// Code isolated to this executor runs on the alarm thread only (jobs, and the
    /// alarm action between jobs), which lets the action use `assumeIsolated`.
    public func checkIsolated() {
        precondition(isCurrent, "not on the ipf-alarm thread")
    }

    // MARK: - The thread

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
                action.withLock { $0 }?()
            }
            if descriptors[1].revents & Int16(POLLIN) != 0 { _ = read(wakeDescriptor, &counter, 8) }
            runJobs()
        }
    }

    private func runJobs() {
        while true {
            let batch = jobs.withLock { j -> [UnownedJob] in defer { j.removeAll(keepingCapacity: true) }; return j }
            if batch.isEmpty { return }
            for job in batch { job.runSynchronously(on: asUnownedSerialExecutor()) }
        }
    }
}
