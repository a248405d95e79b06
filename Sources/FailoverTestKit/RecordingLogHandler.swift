import Logging
import Synchronization

/// A swift-log handler that keeps every line, for tests that assert what the
/// daemon tells an operator.
public struct RecordingLogHandler: LogHandler {
    /// Shared storage of the recorded lines (`level message key=value…`).
    public final class Store: Sendable {
        let lines = Mutex<[String]>([])
        public init() {}
        public var all: [String] { lines.withLock { $0 } }
    }

    public let store: Store
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .trace

    public init(store: Store) { self.store = store }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        let meta = merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        store.lines.withLock { $0.append("\(event.level) \(event.message) \(meta)") }
    }

    /// A logger writing into `store`.
    public static func logger(_ store: Store) -> Logger {
        Logger(label: "test") { _ in RecordingLogHandler(store: store) }
    }
}
