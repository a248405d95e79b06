import CLinuxShim
import Dispatch
import Glibc

/// A non-blocking descriptor watched by a `DispatchSource`: no thread per socket,
/// the handler runs on a shared serial queue whenever the descriptor is readable.
/// Cancelling the source closes the descriptor, so a read never races a close.
final class ReadSource: @unchecked Sendable {
    // Safe: `source` is immutable after init; DispatchSource is thread-safe.
    private let source: DispatchSourceRead

    /// One queue for every socket: reads are short, and ordering per socket is preserved.
    static let queue = DispatchQueue(label: "ipfailover.linuxnetworking.read")

    init(descriptor: Int32, onReadable: @escaping @Sendable () -> Void) {
        source = DispatchSource.makeReadSource(fileDescriptor: descriptor, queue: Self.queue)
        source.setEventHandler(handler: onReadable)
        source.setCancelHandler { _ = Glibc.close(descriptor) }
    }

    /// Starts delivering events; call once, after the handler's state is ready.
    func resume() { source.resume() }

    func cancel() { source.cancel() }
}

/// Sets O_NONBLOCK so the read handler can drain the socket until EAGAIN.
func setNonBlocking(_ fd: Int32) throws {
    let flags = try check(fcntl(fd, F_GETFL), "fcntl", "F_GETFL")
    try check(fcntl(fd, F_SETFL, flags | O_NONBLOCK), "fcntl", "F_SETFL")
}
