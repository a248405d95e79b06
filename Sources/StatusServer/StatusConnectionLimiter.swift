import NIOCore

/// Sits on the listening channel, ahead of NIO's accept handler: every accepted
/// connection takes a slot from `counters`; past the cap the connection is closed
/// before anything is read from it, so a flood of connections costs a descriptor
/// only for the instant between accept and close.
final class StatusConnectionLimiter: ChannelInboundHandler, Sendable {
    typealias InboundIn = any Channel
    typealias InboundOut = any Channel

    let counters: StatusServerCounters

    init(counters: StatusServerCounters) { self.counters = counters }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let child = unwrapInboundIn(data)
        guard counters.admit() else {
            child.close(promise: nil)
            return
        }
        let counters = counters
        child.closeFuture.whenComplete { _ in counters.release() }
        context.fireChannelRead(data)
    }
}
