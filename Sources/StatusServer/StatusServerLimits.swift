import Glibc
import NIOCore

/// How much the status endpoint may take from the daemon: it shares the process
/// (file descriptors, memory, the event loop) with the VRRP engine, and a client
/// that opens thousands of connections, trickles a request in, or pipelines
/// requests without reading the answers must never starve failover.
public struct StatusServerLimits: Sendable, Equatable {
    /// Connections served at once; one more is accepted and closed at once
    /// (counted as refused), so the daemon's descriptor count stays bounded.
    public var maxConnections: Int
    /// A connection with no request in progress is closed after this long.
    public var idleTimeout: TimeAmount
    /// From a request's first byte to the end of its header block: a client that
    /// trickles its headers (slowloris) is closed once this has passed.
    public var headerTimeout: TimeAmount
    /// From the end of the header block to the end of the body.
    public var bodyTimeout: TimeAmount
    /// How long one response may take to reach the kernel: a client that stops
    /// reading holds at most one response, and only for this long.
    public var writeTimeout: TimeAmount
    /// The request line and header block together (larger: 400 and close).
    public var maxHeaderBytes: Int
    /// A request body (larger: 413 and close; the endpoints take none).
    public var maxBodyBytes: Int

    public init(maxConnections: Int, idleTimeout: TimeAmount, headerTimeout: TimeAmount, bodyTimeout: TimeAmount,
                writeTimeout: TimeAmount, maxHeaderBytes: Int, maxBodyBytes: Int) {
        self.maxConnections = max(1, maxConnections)
        self.idleTimeout = idleTimeout
        self.headerTimeout = headerTimeout
        self.bodyTimeout = bodyTimeout
        self.writeTimeout = writeTimeout
        self.maxHeaderBytes = maxHeaderBytes
        self.maxBodyBytes = maxBodyBytes
    }

    /// Descriptors the status endpoint leaves to everything else in the daemon:
    /// VRRP and packet sockets, netlink, the pipes and pidfds of every running check
    /// and notify script, notify FIFOs, state and dump files.
    public static let reservedDescriptors = 512
    /// The connection cap when descriptors are plentiful: a few scrapers and
    /// operators, with room to spare.
    public static let defaultMaxConnections = 256
    /// The cap never goes below this, however tight the descriptor limit.
    public static let minimumMaxConnections = 8

    /// The defaults, with the connection cap sized so that `reservedDescriptors`
    /// remain under the process's descriptor limit (`descriptorLimit`: the soft
    /// `RLIMIT_NOFILE`, read when the server starts).
    public static func standard(descriptorLimit: Int = currentDescriptorLimit()) -> StatusServerLimits {
        StatusServerLimits(
            maxConnections: connectionCap(descriptorLimit: descriptorLimit),
            idleTimeout: .seconds(60), headerTimeout: .seconds(10), bodyTimeout: .seconds(10),
            writeTimeout: .seconds(30), maxHeaderBytes: 8192, maxBodyBytes: 8192)
    }

    /// `defaultMaxConnections`, lowered so that `reservedDescriptors` stay free.
    public static func connectionCap(descriptorLimit: Int) -> Int {
        min(defaultMaxConnections, max(minimumMaxConnections, descriptorLimit - reservedDescriptors))
    }

    /// The soft `RLIMIT_NOFILE` of this process.
    public static func currentDescriptorLimit() -> Int {
        var limit = rlimit()
        guard getrlimit(RLIMIT_NOFILE_VALUE, &limit) == 0 else { return 1024 }
        return limit.rlim_cur == rlim_t.max ? Int.max : Int(clamping: limit.rlim_cur)
    }
}

/// Glibc imports `RLIMIT_NOFILE` as an enum case of `__rlimit_resource`.
private let RLIMIT_NOFILE_VALUE = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
