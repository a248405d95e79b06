import CLinuxShim
import Glibc
import LinuxNetworking

/// Processes for the lab: `posix_spawn` with output redirected to files, waited
/// for on a dedicated thread so no Swift concurrency thread blocks.
public enum LabCommand {
    /// The outcome of a finished command.
    public struct Result: Sendable {
        /// The argument vector that ran.
        public var arguments: [String]
        /// Exit status (128 + signal for a signalled process).
        public var status: Int32
        public var standardOutput: String
        public var standardError: String
    }

    /// A command failed; the message carries its argv, status and stderr.
    public struct Failure: Error, CustomStringConvertible {
        public var result: Result
        public var description: String {
            "`\(result.arguments.joined(separator: " "))` exited \(result.status): \(result.standardError)\(result.standardOutput)"
        }
    }

    /// Starts `arguments` (argv[0] looked up in PATH) with stdout/stderr appended to
    /// the given files (nil: /dev/null) and stdin from `input` (nil: /dev/null).
    /// Returns the child's PID; it leads its own process group.
    public static func spawn(_ arguments: [String], standardOutput: String? = nil, standardError: String? = nil,
                             input: String? = nil) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, input ?? "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, standardOutput ?? "/dev/null", O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, standardError ?? "/dev/null", O_WRONLY | O_CREAT | O_APPEND, 0o644)
        // Nothing else of the test process: a socket a test server accepted (NIO
        // accepts without SOCK_CLOEXEC) would stay open in a long-lived daemon.
        clinux_spawn_add_closefrom(&actions, 3)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // Started as a service manager starts a daemon: default dispositions and an
        // empty signal mask. The calling thread is a concurrency worker that blocks
        // every signal, and a child would inherit that mask through exec — it would
        // then survive signals that end the real process.
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        posix_spawnattr_setpgroup(&attributes, 0)
        var noSignals = sigset_t(), allSignals = sigset_t()
        sigemptyset(&noSignals)
        sigfillset(&allSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }
        var pid: pid_t = 0
        let rc = posix_spawnp(&pid, arguments[0], &actions, &attributes, &argv, environ)
        guard rc == 0 else {
            throw LinuxNetworkingError.systemCall(name: "posix_spawnp", errno: rc, context: arguments[0])
        }
        return pid
    }

    /// Waits for `pid` on the calling thread; returns its status.
    static func waitBlocking(_ pid: pid_t) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            if errno != EINTR { return -1 }
        }
        return exitCode(status)
    }

    static func exitCode(_ status: Int32) -> Int32 {
        let signal = status & 0x7F
        return signal == 0 ? (status >> 8) & 0xFF : 128 + signal
    }

    /// Runs `arguments` to completion and captures its output; throws `Failure` on a
    /// non-zero exit unless `allowFailure`.
    @discardableResult
    public static func run(_ arguments: [String], input: String? = nil, allowFailure: Bool = false) async throws -> Result {
        let result = try await DedicatedThread.run { () throws -> Result in
            var template = Array("/tmp/ipf-cmd-XXXXXX".utf8CString)
            guard let dir = mkdtemp(&template) else {
                throw LinuxNetworkingError.systemCall(name: "mkdtemp", errno: errno, context: "/tmp")
            }
            let directory = String(cString: dir)
            defer {
                unlink(directory + "/out"); unlink(directory + "/err"); unlink(directory + "/in")
                rmdir(directory)
            }
            var inputPath: String?
            if let input {
                inputPath = directory + "/in"
                try LabFile.write(input, to: inputPath!)
            }
            let pid = try spawn(arguments, standardOutput: directory + "/out", standardError: directory + "/err",
                                input: inputPath)
            let status = waitBlocking(pid)
            return Result(arguments: arguments, status: status,
                          standardOutput: LabFile.read(directory + "/out") ?? "",
                          standardError: LabFile.read(directory + "/err") ?? "")
        }
        if result.status != 0, !allowFailure { throw Failure(result: result) }
        return result
    }
}

/// Small file helpers (the lab avoids Foundation).
public enum LabFile {
    /// The whole file as UTF-8, or nil when it cannot be opened.
    public static func read(_ path: String) -> String? {
        readBytes(path).map { String(decoding: $0, as: UTF8.self) }
    }

    /// The whole file's bytes, or nil when it cannot be opened.
    public static func readBytes(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0, errno == EINTR { continue }
            if n <= 0 { break }
            bytes += chunk[0..<n]
        }
        return bytes
    }

    /// Writes `text` to `path` (created or truncated) with `mode`. An executable file is
    /// returned ready to run: see `awaitNoWriters`.
    public static func write(_ text: String, to path: String, mode: mode_t = 0o644) throws {
        try writeAndClose(text, to: path, mode: mode)
        if mode & 0o111 != 0 { try awaitNoWriters(path) }
    }

    private static func writeAndClose(_ text: String, to path: String, mode: mode_t) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard fd >= 0 else { throw LinuxNetworkingError.systemCall(name: "open", errno: errno, context: path) }
        defer { close(fd) }
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw LinuxNetworkingError.systemCall(name: "write", errno: errno, context: path)
            }
            offset += n
        }
        fchmod(fd, mode)
    }

    /// A file written by one thread is still open for writing in any child another
    /// thread of this process spawned in the meantime: the child holds a copy of every
    /// descriptor until its `exec` closes them (O_CLOEXEC acts only then). Executing
    /// the file in that window fails with ETXTBSY. Returns once no process has `path`
    /// open for writing: the kernel grants a read lease (F_SETLEASE F_RDLCK) only then.
    /// A file system without leases is taken as ready.
    public static func awaitNoWriters(_ path: String, timeout: Duration = .seconds(10)) throws {
        let deadline = ContinuousClock.now + timeout
        while true {
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { throw LinuxNetworkingError.systemCall(name: "open", errno: errno, context: path) }
            let leased = fcntl(fd, clinux_F_SETLEASE, Int32(F_RDLCK))
            let error = errno
            if leased == 0 { _ = fcntl(fd, clinux_F_SETLEASE, Int32(F_UNLCK)) }
            close(fd)
            guard leased != 0, error == EAGAIN else { return }
            guard ContinuousClock.now < deadline else {
                throw LinuxNetworkingError.systemCall(name: "fcntl(F_SETLEASE)", errno: error, context: "\(path) still open for writing after \(timeout)")
            }
            // The holder is a child between clone and exec: microseconds, longer only on a loaded machine.
            usleep(1_000)
        }
    }
}
