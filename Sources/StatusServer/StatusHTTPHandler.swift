import NIOCore
import NIOHTTP1

/// One connection's requests, answered one at a time.
///
/// ```
///            bytes               head                end
/// awaiting ─────────▶ awaiting ────────▶ reading ─────────▶ responding
/// (idle timeout)    (header timeout)  (body timeout)     (write timeout)
///     ▲                                                       │
///     └──────────── response handed to the kernel ────────────┘
/// ```
///
/// Backpressure: while a response is being produced or written, reads from the
/// socket are withheld, and requests the decoder already took from the last read
/// (at most one small read's worth) wait in `pending`. The next request is taken
/// only once the previous response has reached the kernel, so a client that
/// pipelines requests and never reads the answers fills its socket buffers and
/// then holds one response until `writeTimeout` closes it.
///
/// Half-close: a client that shuts down its sending side still gets the answers
/// to the requests it sent; the connection closes after the last one.
final class StatusHTTPHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private enum Phase {
        /// Between requests; `bytesSeen` once the next one has started arriving.
        case awaiting(bytesSeen: Bool)
        /// Header block received, body (if any) arriving.
        case reading(HTTPRequestHead)
        /// A response being produced or written.
        case responding
        case closed
    }

    private let router: StatusRouter
    private let limits: StatusServerLimits
    private let counters: StatusServerCounters
    private var phase = Phase.awaiting(bytesSeen: false)
    private var pending = CircularBuffer<HTTPServerRequestPart>()
    private var bodyBytes = 0
    /// Bytes received since the last complete header block.
    private var headBytes = 0
    private var readWithheld = false
    private var inputClosed = false
    private var timer: Scheduled<Void>?

    init(router: StatusRouter, limits: StatusServerLimits, counters: StatusServerCounters) {
        self.router = router
        self.limits = limits
        self.counters = counters
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { arm(limits.idleTimeout, .idle, context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        arm(limits.idleTimeout, .idle, context: context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        phase = .closed
        timer?.cancel()
        pending.removeAll()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let arrived = event as? RequestBytesWatch.BytesArrived {
            guard case .awaiting(let bytesSeen) = phase else { return }
            if !bytesSeen {
                phase = .awaiting(bytesSeen: true)
                arm(limits.headerTimeout, .header, context: context)
            }
            // The decoder keeps an unfinished header block in memory: bound it here,
            // before it is buffered (one read is far smaller than the limit).
            headBytes += arrived.count
            if headBytes > limits.maxHeaderBytes {
                counters.rejected(.tooLarge)
                phase = .responding
                let body = Array("request header block over \(limits.maxHeaderBytes) bytes\n".utf8)
                write(StatusResponse(status: 431, contentType: "text/plain; charset=utf-8", body: body),
                      to: HTTPRequestHead(version: .http1_1, method: .GET, uri: "/"), keepAlive: false, context: context)
            }
        } else if let event = event as? ChannelEvent, event == .inputClosed {
            inputClosed = true
            // A request still arriving can never complete; one being answered is
            // answered first (see responseWritten).
            if case .responding = phase {} else { close(context: context) }
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch phase {
        case .closed:
            return
        case .responding:
            pending.append(unwrapInboundIn(data))
        case .awaiting, .reading:
            handle(unwrapInboundIn(data), context: context)
        }
    }

    func read(context: ChannelHandlerContext) {
        if case .responding = phase {
            readWithheld = true
        } else {
            context.read()
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let error = error as? HTTPParserError {
            counters.rejected(error == .headerOverflow ? .tooLarge : .malformed)
        }
        // HTTPServerProtocolErrorHandler has already answered 400 where it could.
        close(context: context)
    }

    // MARK: - Requests

    private func handle(_ part: HTTPServerRequestPart, context: ChannelHandlerContext) {
        switch part {
        case .head(let head):
            phase = .reading(head)
            bodyBytes = 0
            headBytes = 0
            arm(limits.bodyTimeout, .body, context: context)
        case .body(let buffer):
            bodyBytes += buffer.readableBytes
            if bodyBytes > limits.maxBodyBytes, case .reading(let head) = phase {
                counters.rejected(.tooLarge)
                phase = .responding
                let body = Array("request body over \(limits.maxBodyBytes) bytes\n".utf8)
                write(StatusResponse(status: 413, contentType: "text/plain; charset=utf-8", body: body),
                      to: head, keepAlive: false, context: context)
            }
        case .end:
            guard case .reading(let head) = phase else { return }
            phase = .responding
            timer?.cancel()
            let router = router
            let method = head.method.rawValue, uri = head.uri
            context.eventLoop.makeFutureWithTask {
                await router.respond(method: method, uri: uri)
            }.assumeIsolated().whenSuccess { response in
                self.write(response, to: head, keepAlive: head.isKeepAlive, context: context)
            }
        }
    }

    // MARK: - Responses

    private func write(_ response: StatusResponse, to request: HTTPRequestHead, keepAlive: Bool,
                       context: ChannelHandlerContext) {
        guard case .responding = phase else { return }
        // The last answer on this connection says so: the client asked for it, or
        // it half-closed and nothing it sent is left to answer.
        let last = !keepAlive || (inputClosed && pending.isEmpty)
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: response.contentType)
        headers.add(name: "Content-Length", value: String(response.body.count))
        headers.add(name: "Cache-Control", value: "no-store")
        for (name, value) in response.headers { headers.add(name: name, value: value) }
        if last { headers.add(name: "Connection", value: "close") }
        let head = HTTPResponseHead(version: request.version, status: HTTPResponseStatus(statusCode: response.status),
                                    headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        if request.method != .HEAD {
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: response.body)))),
                          promise: nil)
        }
        let written = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: written)
        arm(limits.writeTimeout, .write, context: context)
        written.futureResult.assumeIsolated().whenComplete { result in
            self.responseWritten(succeeded: (try? result.get()) != nil, last: last, context: context)
        }
    }

    private func responseWritten(succeeded: Bool, last: Bool, context: ChannelHandlerContext) {
        guard case .responding = phase else { return }
        timer?.cancel()
        guard succeeded, !last else {
            close(context: context)
            return
        }
        phase = .awaiting(bytesSeen: !pending.isEmpty)
        arm(pending.isEmpty ? limits.idleTimeout : limits.headerTimeout, pending.isEmpty ? .idle : .header,
            context: context)
        while !pending.isEmpty {
            if case .responding = phase { return }
            if case .closed = phase { return }
            handle(pending.removeFirst(), context: context)
        }
        if inputClosed {
            if case .responding = phase { return }
            close(context: context)
        } else if readWithheld {
            readWithheld = false
            context.read()
        }
    }

    // MARK: - Timers

    private func arm(_ timeout: TimeAmount, _ phase: StatusServerCounters.Timeout, context: ChannelHandlerContext) {
        timer?.cancel()
        timer = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) {
            self.counters.timedOut(phase)
            self.close(context: context)
        }
    }

    private func close(context: ChannelHandlerContext) {
        if case .closed = phase { return }
        phase = .closed
        timer?.cancel()
        pending.removeAll()
        context.close(promise: nil)
    }
}
