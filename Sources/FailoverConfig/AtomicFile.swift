#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The one way the daemon and its commands replace a file (`render --output`, the
/// env-mode keepalived.conf, the SIGUSR dumps, the owned-address state file).
///
/// - Atomic: the bytes go to a fresh temporary file in the same directory, which is
///   then renamed over the path; a reader sees the old file or the new one, never a
///   part.
/// - Only a regular file is replaced. A device node, a FIFO, a socket or a directory
///   at the path is refused, and so is a symbolic link: the link is neither followed
///   (its target is never written) nor replaced (someone put it there on purpose, e.g.
///   a ConfigMap mount); the error names the path and what is there.
/// - The temporary name is unpredictable and created with `O_CREAT|O_EXCL`
///   with a random suffix, so a link planted there is never followed (keepalived CVE-2018-19044:
///   its dumps in /tmp followed such links).
///
/// No fsync: the files guard against a crashed process, not a crashed kernel (see
/// docs/daemon.md); an fsync per write stalls under I/O load.
public enum AtomicFile {
    /// A write failure: the path and the reason; `errno` when a system call failed,
    /// nil when the path was refused because it is not a regular file.
    public struct WriteError: Error, Hashable, Sendable, CustomStringConvertible {
        public var path: String
        public var reason: String
        public var errno: Int32?

        public init(path: String, reason: String, errno: Int32? = nil) {
            self.path = path
            self.reason = reason
            self.errno = errno
        }

        public var description: String { "cannot write \(path): \(reason)" }
    }

    /// Replaces `path` with `bytes` (created with `mode` when it does not exist yet;
    /// an existing file's permission bits are kept).
    public static func write(_ bytes: [UInt8], to path: String, mode: mode_t = 0o644) throws(WriteError) {
        func systemError(_ what: String? = nil) -> WriteError {
            let code = errno
            return WriteError(path: path, reason: (what.map { "\($0): " } ?? "") + String(cString: strerror(code)), errno: code)
        }
        var finalMode = mode
        var info = stat()
        if lstat(path, &info) == 0 {
            if let kind = FileConfigSource.nonRegularKind(info.st_mode) {
                throw WriteError(path: path, reason: "it is \(kind), not a regular file; only a regular file is replaced")
            }
            finalMode = info.st_mode & 0o7777
        } else if errno != ENOENT {
            throw systemError()
        }

        var temporary = ""
        var fd: Int32 = -1
        for _ in 0..<16 {
            temporary = path + ".tmp." + String(UInt64.random(in: 0...UInt64.max), radix: 36)
            fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
            if fd >= 0 || errno != EEXIST { break }
        }
        guard fd >= 0 else { throw systemError("cannot create a temporary file beside it") }
        var failure: WriteError?
        if fchmod(fd, finalMode) != 0 { failure = systemError() }
        var offset = 0
        while failure == nil, offset < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0, errno == EINTR { continue }
            if n <= 0 { failure = systemError(); break }
            offset += n
        }
        if close(fd) != 0, failure == nil { failure = systemError() }
        if failure == nil {
            // The path may have changed since the check above; rename(2) replaces the
            // directory entry only (never writes through a link or into a device), so
            // the check is repeated just before it to keep the window small.
            if lstat(path, &info) == 0, let kind = FileConfigSource.nonRegularKind(info.st_mode) {
                failure = WriteError(path: path, reason: "it is \(kind), not a regular file; only a regular file is replaced")
            } else if rename(temporary, path) != 0 {
                failure = systemError()
            }
        }
        if let failure {
            unlink(temporary)
            throw failure
        }
    }
}
