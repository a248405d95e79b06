import Logging
import NIOCore
import NIOHTTP1
import NIOPosix

/// The HTTP listener for `/healthz`, `/status` and `/metrics` on SwiftNIO's own
/// HTTP/1 handlers (lighter than a web framework for three read-only endpoints).
/// Binds to 127.0.0.1 unless told otherwise. It runs inside the failover daemon,
/// so every resource a client can make it hold is bounded (`StatusServerLimits`)
/// and every refusal is counted (`counters`, exported on `/metrics`).
public final class StatusHTTPServer: Sendable {
    /// The bound address (with the real port when 0 was asked for).
    public let localAddress: SocketAddress
    /// The limits in force.
    public let limits: StatusServerLimits
    /// Connections open, refused and timed out; requests rejected.
    public let counters: StatusServerCounters
    private let channel: any Channel

    /// Errors starting the listener, with the address that was asked for.
    public enum Error: Swift.Error, CustomStringConvertible {
        case bindFailed(host: String, port: Int, underlying: any Swift.Error)

        public var description: String {
            switch self {
            case let .bindFailed(host, port, underlying):
                "cannot listen on \(host):\(port) for the status endpoint: \(underlying)"
            }
        }
    }

    private init(channel: any Channel, limits: StatusServerLimits, counters: StatusServerCounters) {
        self.channel = channel
        self.limits = limits
        self.counters = counters
        localAddress = channel.localAddress!
    }

    /// Bytes taken from a socket per read: with reads withheld while a response
    /// is pending, this bounds what pipelined requests can queue up.
    static let readSize = 4096

    /// Starts listening; returns once bound. `limits` defaults to
    /// `StatusServerLimits.standard()`, sized against the descriptor limit in force now.
    public static func start(
        host: String = "127.0.0.1",
        port: Int,
        source: any StatusSource,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        limits: StatusServerLimits = .standard(),
        logger: Logger = Logger(label: "ipfailover.status")
    ) async throws -> StatusHTTPServer {
        let counters = StatusServerCounters(maxConnections: limits.maxConnections, logger: logger)
        let router = StatusRouter(source: source, counters: counters)
        let decoderLimits = {
            var configuration = NIOHTTPDecoderLimitConfiguration()
            configuration.maxHeaderFieldSize = limits.maxHeaderBytes
            configuration.maxHeaderListSize = limits.maxHeaderBytes
            return configuration
        }()
        let bootstrap = ServerBootstrap(group: group)
            // Room for a burst of connects: those past the cap are accepted and
            // closed at once, and a full backlog makes clients wait for SYN retries.
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(StatusConnectionLimiter(counters: counters))
                }
            }
            // A client that shuts down its sending side still gets its answers.
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .childChannelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: readSize))
            .childChannelOption(.maxMessagesPerRead, value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    try pipeline.addHandler(RequestBytesWatch())
                    // No pipelining assistance: StatusHTTPHandler serializes requests
                    // itself and, unlike NIO's handler, waits for each response to
                    // reach the kernel before taking the next request.
                    try pipeline.configureHTTPServerPipeline(
                        withPipeliningAssistance: false, withErrorHandling: true,
                        withEncoderConfiguration: .init(), withDecoderLimitConfiguration: decoderLimits)
                    try pipeline.addHandler(StatusHTTPHandler(router: router, limits: limits, counters: counters))
                }
            }
        do {
            let channel = try await bootstrap.bind(host: host, port: port).get()
            return StatusHTTPServer(channel: channel, limits: limits, counters: counters)
        } catch {
            throw Error.bindFailed(host: host, port: port, underlying: error)
        }
    }

    /// The port actually bound.
    public var port: Int { localAddress.port ?? 0 }

    /// Stops listening.
    public func shutdown() async {
        try? await channel.close()
    }
}
