/// Port: writes notify lines to a `notify_fifo`. Implementations must never block:
/// a FIFO without a reader or a full pipe drops the line (and says so).
public protocol NotifyFIFOWriter: Sendable {
    /// Writes one line (a trailing newline is added). Returns false when dropped.
    @discardableResult
    func write(line: String) -> Bool
}
