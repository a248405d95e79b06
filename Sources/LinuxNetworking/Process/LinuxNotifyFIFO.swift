import FailoverRuntime
import Glibc

/// `notify_fifo` writer: creates the FIFO (mode 0644) if missing and opens it
/// O_RDWR|O_NONBLOCK like keepalived, so opening never waits for a reader and a
/// write never blocks — with no reader lines wait in the pipe buffer, and when that
/// is full a line is dropped (reported by `write`).
public final class LinuxNotifyFIFO: NotifyFIFOWriter, Sendable {
    public let path: String
    private let fd: Int32

    /// nil when the path exists and is not a FIFO, or cannot be created/opened.
    public init?(path: String) {
        self.path = path
        if mkfifo(path, 0o644) != 0 && errno != EEXIST { return nil }
        var st = stat()
        guard stat(path, &st) == 0, st.st_mode & S_IFMT == S_IFIFO else { return nil }
        fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else { return nil }
    }

    deinit { close(fd) }

    @discardableResult
    public func write(line: String) -> Bool {
        // One write(2) of ≤ PIPE_BUF bytes is atomic: lines never interleave.
        let bytes = Array((line + "\n").utf8)
        let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        return n == bytes.count
    }
}
