import Dispatch

/// The engine actor's executor when no `EngineAlarm` is given (tests, tools): a
/// serial Dispatch queue. The engine always has a custom executor so that, with an
/// alarm, the alarm thread can run the engine's timer handler in isolation.
final class SerialQueueExecutor: SerialExecutor {
    private let queue = DispatchQueue(label: "ipfailover.engine")

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        queue.async { job.runSynchronously(on: self.asUnownedSerialExecutor()) }
    }

    func asUnownedSerialExecutor() -> UnownedSerialExecutor {
        UnownedSerialExecutor(ordinary: self)
    }

    func checkIsolated() {
        dispatchPrecondition(condition: .onQueue(queue))
    }
}
