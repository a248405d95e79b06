import CLinuxShim
import Glibc

/// At most one ipfailover daemon per network namespace.
///
/// A daemon owns every address carrying our `IFA_PROTO` tag in its namespace: it
/// removes them at start-up as leftovers of a crashed predecessor. A second daemon
/// (or `cleanup`) in the same namespace would therefore strip the live daemon's VIPs
/// while that one keeps advertising MASTER. The lock is taken before any address,
/// firewall rule, state file or port is touched.
///
/// The lock is a listening socket bound to an abstract Unix address. Abstract
/// addresses belong to the network namespace, which is exactly the scope of the
/// address cleanup: two containers sharing the host's network (hostNetwork pods)
/// see one lock, while lab namespaces on one machine each have their own — a lock
/// file under /run would get both wrong. The kernel releases it when the process
/// dies, however it dies, so there is no stale lock to clear. A process that finds
/// it held connects once and reads the holder's PID with `SO_PEERCRED`; the holder
/// accepts and closes such connections so they never pile up.
public final class NamespaceLock: @unchecked Sendable {
    // Safe: `source` is immutable after init; the descriptor is owned by it.
    private let source: ReadSource

    /// The abstract name every daemon binds.
    public static let defaultName = "ipfailover/daemon"

    /// Why the lock was not taken.
    public enum Failure: Error, Sendable, CustomStringConvertible {
        /// Another process holds it; `pid` when the kernel could tell (0 or nil:
        /// the holder lives in a PID namespace this process cannot see).
        case held(pid: pid_t?)
        /// A system call failed.
        case system(LinuxNetworkingError)

        public var description: String {
            switch self {
            case .held(let pid?) where pid > 0:
                "another ipfailover daemon (pid \(pid)) is running in this network namespace"
            case .held:
                "another ipfailover daemon is running in this network namespace (its pid is not visible from here)"
            case .system(let error):
                "cannot take the daemon lock: \(error)"
            }
        }
    }

    private init(source: ReadSource) { self.source = source }

    /// Takes the lock of the calling thread's network namespace, or throws
    /// `Failure.held` naming the holder.
    public static func acquire(name: String = defaultName) throws(Failure) -> NamespaceLock {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard fd >= 0 else { throw .system(.systemCall(name: "socket", errno: errno, context: "AF_UNIX")) }
        let bound = withAbstractAddress(name) { bind(fd, $0, $1) }
        if bound != 0 {
            let code = errno
            close(fd)
            if code == EADDRINUSE { throw .held(pid: holderPID(name: name)) }
            throw .system(.systemCall(name: "bind", errno: code, context: "@\(name)"))
        }
        guard listen(fd, 8) == 0 else {
            let code = errno
            close(fd)
            throw .system(.systemCall(name: "listen", errno: code, context: "@\(name)"))
        }
        let source = ReadSource(descriptor: fd) {
            // A contender asking who holds the lock: it has its answer once
            // connected (SO_PEERCRED), so the connection is closed at once.
            while true {
                let client = clinux_accept_cloexec(fd)
                guard client >= 0 else { return }
                close(client)
            }
        }
        source.resume()
        return NamespaceLock(source: source)
    }

    /// Releases the lock (also released by the kernel at exit).
    public func release() { source.cancel() }

    /// The PID of the process holding `name`, as the kernel reports it to a client.
    static func holderPID(name: String) -> pid_t? {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        guard withAbstractAddress(name, { connect(fd, $0, $1) }) == 0 else { return nil }
        let pid = clinux_peer_pid(fd)
        return pid > 0 ? pid : nil
    }

    /// Calls `body` with `@name` as a `sockaddr_un` (leading NUL, no terminator).
    private static func withAbstractAddress(_ name: String,
                                            _ body: (UnsafePointer<sockaddr>, socklen_t) -> Int32) -> Int32 {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(name.utf8.prefix(MemoryLayout.size(ofValue: address.sun_path) - 1))
        withUnsafeMutableBytes(of: &address.sun_path) { path in
            path[0] = 0
            for (i, byte) in bytes.enumerated() { path[i + 1] = byte }
        }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + 1 + bytes.count)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, length) }
        }
    }
}
