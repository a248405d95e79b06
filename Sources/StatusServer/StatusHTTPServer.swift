import NIOCore
import NIOHTTP1
import NIOPosix

/// The HTTP listener for `/healthz`, `/status` and `/metrics` on SwiftNIO's own
/// HTTP/1 handlers (lighter than a web framework for three read-only endpoints).
/// Binds to 127.0.0.1 unless told otherwise.
public final class StatusHTTPServer: Sendable {
    /// The bound address (with the real port when 0 was asked for).
    public let localAddress: SocketAddress
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

    private init(channel: any Channel) {
        self.channel = channel
        localAddress = channel.localAddress!
    }

    /// Starts listening; returns once bound.
    public static func start(
        host: String = "127.0.0.1",
        port: Int,
        source: any StatusSource,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws -> StatusHTTPServer {
        let router = StatusRouter(source: source)
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 16)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(StatusHTTPHandler(router: router))
                }
            }
        do {
            let channel = try await bootstrap.bind(host: host, port: port).get()
            return StatusHTTPServer(channel: channel)
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

/// One connection: collects a request head and answers at its end.
final class StatusHTTPHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let router: StatusRouter

    init(router: StatusRouter) { self.router = router }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .head(let head) = unwrapInboundIn(data) else { return }
        let router = router
        let loop = context.eventLoop
        let boundContext = NIOLoopBound(context, eventLoop: loop)
        let method = head.method.rawValue
        let keepAlive = head.isKeepAlive
        let version = head.version
        let isHead = head.method == .HEAD
        loop.makeFutureWithTask {
            await router.respond(method: method, uri: head.uri)
        }.whenSuccess { response in
            let context = boundContext.value
            var headers = HTTPHeaders()
            headers.add(name: "Content-Type", value: response.contentType)
            headers.add(name: "Content-Length", value: String(response.body.count))
            headers.add(name: "Cache-Control", value: "no-store")
            for (name, value) in response.headers { headers.add(name: name, value: value) }
            if !keepAlive { headers.add(name: "Connection", value: "close") }
            let responseHead = HTTPResponseHead(version: version,
                                                status: HTTPResponseStatus(statusCode: response.status),
                                                headers: headers)
            context.write(NIOAny(HTTPServerResponsePart.head(responseHead)), promise: nil)
            if !isHead {
                var buffer = context.channel.allocator.buffer(capacity: response.body.count)
                buffer.writeBytes(response.body)
                context.write(NIOAny(HTTPServerResponsePart.body(.byteBuffer(buffer))), promise: nil)
            }
            let done = context.writeAndFlush(NIOAny(HTTPServerResponsePart.end(nil)))
            if !keepAlive {
                let channel = context.channel
                done.whenComplete { _ in channel.close(promise: nil) }
            }
        }
    }
}
