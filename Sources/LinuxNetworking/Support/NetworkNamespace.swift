import CLinuxShim
import Glibc

/// Runs code inside a network namespace without spawning a process.
///
/// `setns(CLONE_NEWNET)` changes only the calling thread, and every socket keeps
/// the namespace it was created in. So `run(inNamespaceAt:_:)` starts a dedicated
/// thread, enters the namespace there, runs the closure (which opens sockets,
/// netlink channels, looks up interfaces) and lets the thread exit. Objects created
/// inside keep working from any thread afterwards.
public enum NetworkNamespace {
    /// The path `ip netns add <name>` creates.
    public static func path(named name: String) -> String { "/run/netns/\(name)" }

    /// Runs `body` on a new thread that has joined the namespace at `path`.
    public static func run<T: Sendable>(inNamespaceAt path: String,
                                        _ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await DedicatedThread.run {
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else {
                throw LinuxNetworkingError.systemCall(name: "open", errno: errno, context: path)
            }
            defer { close(fd) }
            let rc = clinux_setns_net(fd)
            if rc < 0 { throw LinuxNetworkingError.systemCall(name: "setns", errno: -rc, context: path) }
            return try body()
        }
    }

    /// Runs `body` in the namespace `ip netns` knows as `name`.
    public static func run<T: Sendable>(named name: String, _ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await run(inNamespaceAt: path(named: name), body)
    }
}

/// Runs a blocking closure on a fresh detached pthread and awaits its result, so
/// blocking work (waitpid, setns) never occupies a Swift concurrency thread.
public enum DedicatedThread {
    private final class Job: @unchecked Sendable {
        // Safe: written by the starting task before pthread_create, read only by the thread.
        let work: () -> Void
        init(_ work: @escaping () -> Void) { self.work = work }
    }

    public static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, Error>) in
            let job = Job { continuation.resume(with: Result { try body() }) }
            var thread = pthread_t()
            let rc = pthread_create(&thread, nil, { arg in
                let job = Unmanaged<Job>.fromOpaque(arg!).takeRetainedValue()
                job.work()
                return nil
            }, Unmanaged.passRetained(job).toOpaque())
            if rc != 0 {
                Unmanaged.passUnretained(job).release()
                continuation.resume(throwing: LinuxNetworkingError.systemCall(name: "pthread_create", errno: rc, context: ""))
            } else {
                pthread_detach(thread)
            }
        }
    }
}
