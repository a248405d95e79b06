/// A `@Sendable () -> Void` held by reference, for closures kept behind a lock.
///
/// Taking a closure out of `Mutex.withLock` by value was never released in optimized
/// builds of this toolchain: heaptrack on a soak node counted 32 bytes (and a
/// reference to whatever the closure captured) per call, for the daemon's lifetime,
/// and a standalone `-O` build of the pattern crashes. A class reference comes out of
/// the lock as it is, so a closure that crosses a lock travels in one of these.
public final class SendableAction: Sendable {
    public let run: @Sendable () -> Void

    public init(_ run: @escaping @Sendable () -> Void) {
        self.run = run
    }
}
