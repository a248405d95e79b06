import FailoverRuntime
import Glibc

/// What one command writes to stdout and stderr, bounded: the first `lineLimit`
/// lines (each cut at `ScriptOutputLine.maximumLineBytes`) in arrival order, a count
/// of the lines beyond, and the stderr tail for failure reports. Pipes are always
/// drained, so a chatty command never blocks on a full pipe.
struct OutputCapture {
    let lineLimit: Int
    let tailLines: Int
    private(set) var lines: [ScriptOutputLine] = []
    private(set) var dropped = 0
    private var partial: [ScriptOutputLine.Stream: [UInt8]] = [:]
    private var partialTruncated: Set<ScriptOutputLine.Stream> = []
    private var stderrBytes: [UInt8] = []

    /// Bytes of stderr kept for the tail.
    static let stderrBytesKept = 8192
    /// Reads per wake-up and stream: a flood must not monopolise the supervisor thread.
    static let readsPerWakeUp = 16

    init(lineLimit: Int, tailLines: Int) {
        self.lineLimit = max(0, lineLimit)
        self.tailLines = tailLines
    }

    /// Reads what is available on `fd`; closes it (and sets it to -1) at EOF or error.
    mutating func drain(_ fd: inout Int32, stream: ScriptOutputLine.Stream) {
        guard fd >= 0 else { return }
        var buffer = [UInt8](repeating: 0, count: 4096)
        for _ in 0..<Self.readsPerWakeUp {
            let n = read(fd, &buffer, buffer.count)
            if n > 0 {
                append(buffer[0..<n], stream: stream)
                continue
            }
            if n == 0 || (errno != EINTR && errno != EAGAIN) {
                // EOF (every writer gone) or error: the last unterminated line counts too.
                finishLine(stream)
                close(fd)
                fd = -1
            }
            return
        }
    }

    private mutating func append(_ bytes: ArraySlice<UInt8>, stream: ScriptOutputLine.Stream) {
        if stream == .stderr {
            stderrBytes.append(contentsOf: bytes)
            if stderrBytes.count > Self.stderrBytesKept { stderrBytes.removeFirst(stderrBytes.count - Self.stderrBytesKept) }
        }
        var rest = bytes
        while let newline = rest.firstIndex(of: UInt8(ascii: "\n")) {
            add(rest[rest.startIndex..<newline], stream: stream)
            finishLine(stream)
            rest = rest[(newline + 1)...]
        }
        add(rest, stream: stream)
    }

    private mutating func add(_ bytes: ArraySlice<UInt8>, stream: ScriptOutputLine.Stream) {
        guard !bytes.isEmpty else { return }
        // Past the limit only the count matters; keep just enough to know a line started.
        let room = lines.count >= lineLimit ? 1 : ScriptOutputLine.maximumLineBytes
        var current = partial[stream, default: []]
        let free = max(0, room - current.count)
        if bytes.count > free { partialTruncated.insert(stream) }
        current.append(contentsOf: bytes.prefix(free))
        partial[stream] = current
    }

    private mutating func finishLine(_ stream: ScriptOutputLine.Stream) {
        guard let bytes = partial.removeValue(forKey: stream), !bytes.isEmpty else { return }
        let truncated = partialTruncated.remove(stream) != nil
        guard lines.count < lineLimit else {
            dropped += 1
            return
        }
        var text = String(decoding: bytes, as: UTF8.self)
        if text.hasSuffix("\r") { text.removeLast() }
        if truncated { text += "…" }
        lines.append(ScriptOutputLine(stream: stream, text: text))
    }

    /// The last `tailLines` non-empty stderr lines, oldest first.
    func stderrTail() -> [String] {
        let text = String(decoding: stderrBytes, as: UTF8.self)
        let all = text.split(whereSeparator: \.isNewline).map(String.init).filter { !$0.isEmpty }
        return Array(all.suffix(tailLines))
    }
}
