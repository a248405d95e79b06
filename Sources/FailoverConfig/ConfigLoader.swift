#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// File-level entry points used by the executable: load and check a keepalived.conf
/// from disk, write a rendered one. The parsing itself stays in the pure types.
public enum ConfigLoader {
    /// Reads `path` and parses it (includes resolved on the file system). A file that
    /// cannot be read yields an empty configuration and a cannot-run diagnostic.
    public static func load(path: String) -> KeepalivedConfigParser.Result {
        guard let text = FileConfigSource.readFile(path) else {
            let reason = String(cString: strerror(errno))
            return KeepalivedConfigParser.Result(
                configuration: Configuration(),
                diagnostics: [Diagnostic(.cannotRun, .source(SourceLocation(file: path, line: 0, column: 0)),
                                         "cannot read configuration file: \(reason)")])
        }
        return KeepalivedConfigParser(source: FileConfigSource()).parse(text, file: path)
    }

    /// A write failure, with the path and the system's reason.
    public struct WriteError: Error, CustomStringConvertible {
        public var path: String
        public var reason: String
        public var description: String { "cannot write \(path): \(reason)" }
    }

    /// Writes `text` to `path` atomically (temporary file in the same directory, then rename).
    public static func write(_ text: String, to path: String) throws(WriteError) {
        let temporary = path + ".tmp.\(getpid())"
        // The dump files go to /tmp by default: never follow a link planted at the
        // temporary name (keepalived CVE-2018-19044), and create the file afresh.
        unlink(temporary)
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw WriteError(path: path, reason: String(cString: strerror(errno))) }
        guard let file = fdopen(fd, "wb") else {
            let reason = String(cString: strerror(errno))
            close(fd)
            unlink(temporary)
            throw WriteError(path: path, reason: reason)
        }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
        let closed = fclose(file)
        guard written == bytes.count, closed == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw WriteError(path: path, reason: reason)
        }
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw WriteError(path: path, reason: reason)
        }
    }
}
