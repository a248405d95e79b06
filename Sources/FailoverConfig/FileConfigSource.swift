#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The file-system side of configuration loading: reads files and expands `include`
/// patterns with glob(3). The only file I/O in FailoverConfig besides
/// `SystemNodeIdentity` and `AtomicFile`; the parser itself only sees text.
///
/// Only regular files are read: a FIFO would block the reader forever and a device
/// such as `/dev/zero` never ends, so both are refused before a byte is read (the
/// open itself never blocks). Every read is bounded (`maximumFileBytes`).
public struct FileConfigSource: ConfigSource {
    /// The most bytes read from one configuration file. keepalived configurations are
    /// kilobytes; a generated one with thousands of VIPs stays far below this.
    public static let maximumFileBytes = 4 << 20

    public init() {}

    /// Why a file was not read: the path and a reason that names what is wrong.
    public struct ReadFailure: Error, Hashable, Sendable, CustomStringConvertible {
        /// What kind of failure it is.
        public enum Kind: Hashable, Sendable {
            /// Something other than a regular file (keepalived skips such an included file with a warning).
            case notRegularFile
            /// More bytes than the limit the read was given.
            case tooLarge
            /// The system refused (missing file, permissions, …).
            case system
        }

        public var path: String
        public var reason: String
        public var kind: Kind

        public var description: String { "cannot read '\(path)': \(reason)" }
    }

    /// Reads a whole regular file as UTF-8 (invalid bytes are repaired), at most
    /// `limit` bytes; anything else (a FIFO, a device, a directory, a socket, a larger
    /// file) is refused with a reason.
    public static func read(_ path: String, limit: Int = maximumFileBytes) -> Result<String, ReadFailure> {
        func failure(_ reason: String, _ kind: ReadFailure.Kind = .system) -> Result<String, ReadFailure> {
            .failure(ReadFailure(path: path, reason: reason, kind: kind))
        }
        // O_NONBLOCK: opening a FIFO without a writer must not wait for one.
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)
        guard fd >= 0 else {
            let code = errno
            // A socket cannot be opened (ENXIO); say what it is rather than the errno text.
            var info = stat()
            if stat(path, &info) == 0, let kind = Self.nonRegularKind(info.st_mode) {
                return failure("it is \(kind), not a regular file", .notRegularFile)
            }
            return failure(String(cString: strerror(code)))
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { return failure(String(cString: strerror(errno))) }
        if let kind = Self.nonRegularKind(info.st_mode) {
            return failure("it is \(kind), not a regular file", .notRegularFile)
        }
        if Int(info.st_size) > limit {
            return failure("it is \(info.st_size) bytes; at most \(limit) bytes are read from one configuration file", .tooLarge)
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Int(info.st_size))
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0, errno == EINTR { continue }
            if n < 0 { return failure(String(cString: strerror(errno))) }
            if n == 0 { break }
            // A file that grows while it is read (or reports size 0, as /proc does) is
            // still bounded here.
            guard bytes.count + n <= limit else {
                return failure("it is more than \(limit) bytes; at most \(limit) bytes are read from one configuration file", .tooLarge)
            }
            bytes += buffer[0..<n]
        }
        return .success(String(decoding: bytes, as: UTF8.self))
    }

    /// Reads a whole regular file as UTF-8, or nil when it cannot be read (see `read`).
    public static func readFile(_ path: String) -> String? {
        try? read(path).get()
    }

    /// "a FIFO", "a directory", … for anything but a regular file; nil for a regular file.
    static func nonRegularKind(_ mode: mode_t) -> String? {
        switch mode & S_IFMT {
        case S_IFREG: nil
        case S_IFDIR: "a directory"
        case S_IFIFO: "a FIFO"
        case S_IFCHR: "a character device"
        case S_IFBLK: "a block device"
        case S_IFSOCK: "a socket"
        case S_IFLNK: "a symbolic link"
        default: "not a regular file"
        }
    }

    public func resolveInclude(_ pattern: String, from includingFile: String, byteBudget: Int) -> IncludeResolution {
        let full = resolvedPattern(pattern, from: includingFile)
        var result = glob_t()
        defer { globfree(&result) }
        let status = glob(full, 0, nil, &result)
        if status == GLOB_NOMATCH {
            return IncludeResolution(warnings: ["include '\(pattern)' matched no file"])
        }
        guard status == 0 else {
            return IncludeResolution(warnings: ["include '\(pattern)': glob failed (\(status))"])
        }
        var resolution = IncludeResolution()
        var budget = byteBudget
        for i in 0..<Int(result.gl_pathc) {
            guard let cPath = result.gl_pathv[i] else { continue }
            let path = String(cString: cPath)
            switch Self.read(path, limit: min(Self.maximumFileBytes, max(budget, 0))) {
            case .success(let text):
                budget -= text.utf8.count
                resolution.files.append(IncludedFile(name: path, text: text))
            case .failure(let failure):
                switch failure.kind {
                case .notRegularFile:
                    // keepalived 2.2.7 skips it ("not a regular non-executable file - skipping").
                    resolution.warnings.append("included '\(path)' is skipped: \(failure.reason)")
                case .tooLarge where budget < Self.maximumFileBytes:
                    resolution.errors.append("included '\(path)' is not read: with it the configuration and its "
                        + "includes would exceed \(SyntaxParser.maximumTotalBytes) bytes in all")
                    return resolution
                case .tooLarge:
                    resolution.errors.append("included '\(path)' is not read: \(failure.reason)")
                case .system:
                    resolution.warnings.append("cannot read included file '\(path)': \(failure.reason)")
                }
            }
        }
        return resolution
    }
}
