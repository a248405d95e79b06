/// The engine's executor and its timer in one: the engine actor runs its jobs on it,
/// and at a deadline it calls the engine's timer handler directly, on the same
/// thread, between jobs — no task, no hop. Without one the engine runs on a serial
/// Dispatch queue and sleeps in a task on its own clock (tests drive a manual clock
/// that way).
public protocol EngineAlarm: SerialExecutor {
    /// Calls the action once at `deadline`, replacing any earlier setting; nil
    /// disarms. The alarm may call late, never early.
    func set(_ deadline: ContinuousClock.Instant?)
    /// What to run when the alarm goes off: called on this executor's thread, outside
    /// any job, so code isolated to this executor may `assumeIsolated`. Set once,
    /// before the first `set`.
    func onAlarm(_ action: @escaping @Sendable () -> Void)
}
