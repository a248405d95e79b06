#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// File-level entry points used by the executable: load and check a keepalived.conf
/// from disk, write a rendered one. The parsing itself stays in the pure types.
public enum ConfigLoader {
    /// The variable that sets the configuration id (`--config-id` sets it for the
    /// process, so a reload sees the same id as the start).
    public static let configIDVariable = "IPFAILOVER_CONFIG_ID"

    /// keepalived's configuration id for `@id` lines: `IPFAILOVER_CONFIG_ID`, else the
    /// host name (`IPFAILOVER_HOSTNAME`, else gethostname) up to its first dot, as
    /// keepalived without `-i` takes it.
    public static func defaultConfigID(environment: [String: String]) -> String {
        if let id = environment[configIDVariable], !id.isEmpty { return id }
        var host = environment["IPFAILOVER_HOSTNAME"] ?? ""
        if host.isEmpty { host = SystemNodeIdentity.hostname() }
        return String(host.prefix { $0 != "." })
    }

    /// The configuration id from the process environment (see `defaultConfigID`).
    public static func processConfigID() -> String {
        var environment: [String: String] = [:]
        for name in [configIDVariable, "IPFAILOVER_HOSTNAME"] {
            if let value = getenv(name) { environment[name] = String(cString: value) }
        }
        return defaultConfigID(environment: environment)
    }

    /// Reads `path` and parses it (includes resolved on the file system), applying
    /// `@id` lines for `configID` (nil: the process's, see `processConfigID`). A file
    /// that cannot be read, or is not a regular file, yields an empty configuration
    /// and a cannot-run diagnostic naming the path.
    public static func load(path: String, configID: String? = nil) -> KeepalivedConfigParser.Result {
        let text: String
        switch FileConfigSource.read(path) {
        case .success(let t):
            text = t
        case .failure(let failure):
            return KeepalivedConfigParser.Result(
                configuration: Configuration(),
                diagnostics: [Diagnostic(.cannotRun, .source(SourceLocation(file: path, line: 0, column: 0)),
                                         "cannot read configuration file: \(failure.reason)")])
        }
        return KeepalivedConfigParser(source: FileConfigSource(), configID: configID ?? processConfigID())
            .parse(text, file: path)
    }

    /// A write failure, with the path and the reason (see `AtomicFile`).
    public typealias WriteError = AtomicFile.WriteError

    /// Writes `text` to `path` atomically; only a regular file is ever replaced (see `AtomicFile`).
    public static func write(_ text: String, to path: String) throws(WriteError) {
        try AtomicFile.write(Array(text.utf8), to: path)
    }
}
