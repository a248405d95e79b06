import CLinuxShim
import FailoverRuntime
import Glibc
import Synchronization

/// The engine's home: one thread that is the engine actor's serial executor, its
/// alarm and its receive loop. It waits in `poll` on a timerfd set to the absolute
/// deadline (CLOCK_BOOTTIME, like `ContinuousClock`), on an eventfd that other threads
/// write when they enqueue work for the engine, and on the descriptors given to
/// `watch` (the VRRP sockets). A readable socket is read on this thread and its
/// packets handed to the engine in the same wake-up; an expired timerfd calls the
/// engine's timer handler directly. No task is created and no other thread is woken
/// between the kernel and the state machine. When the timer and a socket are ready in
/// the same wake-up the socket is read first, so an advert that arrived before the
/// Master_Down_Timer expired counts before it.
///
/// Receive coalescing (`receiveCoalescing`): after reading the sockets the thread
/// leaves them alone for that long — timers and jobs are still served at once — and
/// then reads everything that arrived meanwhile in one go. A backup of 255 instances
/// at 0.1 s gets 2,550 adverts a second; read as they come, that is hundreds of
/// wake-ups, each paying for cold caches. Every packet carries the kernel's receive
/// time, which is what the Master_Down_Timer restarts from, so reading it a few
/// milliseconds later changes no timer; and an expiring timer reads the sockets first.
///
/// Lives as long as the process (the daemon makes one); `set(nil)` disarms it.
public final class EngineThread: EngineAlarm, @unchecked Sendable {
    // @unchecked: the descriptors are immutable after init; jobs, action and watches are
    // in Mutexes, the thread id and the watch generation in Atomics.
    private let timerDescriptor: Int32
    /// An eventfd written whenever a job is enqueued or the watched set changes.
    private let wakeDescriptor: Int32
    private let jobs = Mutex<[UnownedJob]>([])
    private let action = Mutex<SendableAction?>(nil)
    private let watches = Mutex<Watches>(Watches())
    /// Bumped on every change of `watches`: the loop rebuilds its poll set when it moved.
    private let generation = Atomic<Int>(0)
    /// Times the timerfd fired (for tests and diagnostics).
    private let fired = Atomic<Int>(0)
    /// `receiveCoalescing` in milliseconds.
    private let coalescingMilliseconds = Atomic<Int>(0)
    /// The thread's `pthread_self()`, once it runs.
    private let thread = Atomic<UInt>(0)

    public init() throws {
        timerDescriptor = try check(timerfd_create(CLOCK_BOOTTIME, clinux_TFD_CLOEXEC), "timerfd_create", "engine thread")
        do {
            wakeDescriptor = try check(eventfd(0, clinux_EFD_CLOEXEC), "eventfd", "engine thread")
        } catch {
            _ = Glibc.close(timerDescriptor)
            throw error
        }
        var thread = pthread_t()
        let context = Unmanaged.passRetained(self).toOpaque()
        let rc = pthread_create(&thread, nil, { raw in
            Unmanaged<EngineThread>.fromOpaque(raw!).takeRetainedValue().loop()
            return nil
        }, context)
        guard rc == 0 else {
            Unmanaged<EngineThread>.fromOpaque(context).release()
            _ = Glibc.close(timerDescriptor)
            _ = Glibc.close(wakeDescriptor)
            throw LinuxNetworkingError.systemCall(name: "pthread_create", errno: rc, context: "engine thread")
        }
        pthread_detach(thread)
    }

    /// How many times the alarm went off.
    public var firedCount: Int { fired.load(ordering: .relaxed) }

    /// Whether the caller runs on this thread.
    public var isCurrent: Bool { pthread_self() == thread.load(ordering: .relaxed) }

    public func onAlarm(_ action: @escaping @Sendable () -> Void) {
        let action = SendableAction(action)
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

    /// How long the watched descriptors are left unread after a read (see the type's
    /// comment); zero (the default) reads them as soon as they are readable. Whole
    /// milliseconds.
    public var receiveCoalescing: Duration {
        get { .milliseconds(coalescingMilliseconds.load(ordering: .relaxed)) }
        set {
            let (seconds, attoseconds) = newValue.components
            coalescingMilliseconds.store(max(0, Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000)), ordering: .relaxed)
        }
    }

    /// The watched descriptors and their handlers, and the descriptors given up.
    private struct Watches {
        var handlers: [Int32: SendableAction] = [:]
        /// Given up with `unwatchAndClose`; the loop closes them once its poll set no
        /// longer holds them.
        var closing: [Int32] = []
    }

    /// Calls `onReadable` on this thread whenever `descriptor` is readable, until
    /// `unwatchAndClose`. The handler must read until the descriptor would block.
    public func watch(_ descriptor: Int32, onReadable: @escaping @Sendable () -> Void) {
        let handler = SendableAction(onReadable)
        watches.withLock { $0.handlers[descriptor] = handler }
        changed()
    }

    /// Stops watching `descriptor` and closes it; the thread owns it from here. A
    /// wake-up already under way may call the handler once more, so the descriptor
    /// stays open until the loop has rebuilt its poll set without it: closed at once,
    /// its number could go to a socket opened meanwhile, and that last call would read
    /// the new socket's packets into the old handler. A descriptor this thread does
    /// not watch is left as it is.
    public func unwatchAndClose(_ descriptor: Int32) {
        watches.withLock { w in
            if w.handlers.removeValue(forKey: descriptor) != nil { w.closing.append(descriptor) }
        }
        changed()
    }

    private func changed() {
        generation.add(1, ordering: .releasing)
        wake()
    }

    private func wake() {
        guard !isCurrent else { return }
        var one: UInt64 = 1
        _ = write(wakeDescriptor, &one, 8)
    }

    // MARK: - SerialExecutor

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        jobs.withLock { $0.append(job) }
        // A job enqueued by this thread itself runs before it next waits.
        wake()
    }

    public func asUnownedSerialExecutor() -> UnownedSerialExecutor {
        UnownedSerialExecutor(ordinary: self)
    }

    /// Code isolated to this executor runs on this thread only (jobs, the alarm action
    /// and the read handlers, between jobs), which lets them use `assumeIsolated`.
    public func checkIsolated() {
        precondition(isCurrent, "not on the ipf-engine thread")
    }

    // MARK: - The thread

    private func loop() {
        clinux_name_thread("ipf-engine")
        thread.store(pthread_self(), ordering: .relaxed)
        var descriptors: [pollfd] = []
        var handlers: [SendableAction] = []
        var seen = -1
        var counter: UInt64 = 0
        /// CLOCK_MONOTONIC milliseconds before which the watched descriptors are not polled.
        var quietUntil = 0
        while true {
            let current = generation.load(ordering: .acquiring)
            if current != seen {
                seen = current
                // One lock: a descriptor taken for closing is not in the new set.
                let (watched, closing) = watches.withLock { w in
                    defer { w.closing.removeAll() }
                    return (w.handlers.sorted { $0.key < $1.key }, w.closing)
                }
                descriptors = [pollfd(fd: timerDescriptor, events: Int16(POLLIN), revents: 0),
                               pollfd(fd: wakeDescriptor, events: Int16(POLLIN), revents: 0)]
                    + watched.map { pollfd(fd: $0.key, events: Int16(POLLIN), revents: 0) }
                handlers = watched.map(\.value)
                for descriptor in closing { _ = Glibc.close(descriptor) }
            }
            let now = Self.monotonicMilliseconds()
            let watching = now >= quietUntil
            for i in descriptors.indices { descriptors[i].revents = 0 }
            let n = poll(&descriptors, nfds_t(watching ? descriptors.count : 2), watching ? -1 : Int32(quietUntil - now))
            if n < 0 { continue }  // EINTR
            // Sockets first: an advert already received counts before a timer expires.
            var read = false
            for i in handlers.indices where watching && descriptors[i + 2].revents != 0 {
                handlers[i].run()
                read = true
            }
            if descriptors[0].revents & Int16(POLLIN) != 0, Glibc.read(timerDescriptor, &counter, 8) == 8 {
                // Left unread for coalescing: read now, before any timer decision.
                if !watching { for handler in handlers { handler.run() } }
                fired.add(1, ordering: .relaxed)
                action.withLock { $0 }?.run()
            }
            let coalescing = coalescingMilliseconds.load(ordering: .relaxed)
            if read, coalescing > 0 { quietUntil = Self.monotonicMilliseconds() + coalescing }
            if descriptors[1].revents & Int16(POLLIN) != 0 { _ = Glibc.read(wakeDescriptor, &counter, 8) }
            runJobs()
        }
    }

    private static func monotonicMilliseconds() -> Int {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return t.tv_sec * 1000 + t.tv_nsec / 1_000_000
    }

    private func runJobs() {
        while true {
            let batch = jobs.withLock { j -> [UnownedJob] in defer { j.removeAll(keepingCapacity: true) }; return j }
            if batch.isEmpty { return }
            for job in batch { job.runSynchronously(on: asUnownedSerialExecutor()) }
        }
    }
}
