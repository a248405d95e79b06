import NIOCore

/// Tells the HTTP handler that request bytes arrived, before the HTTP decoder
/// has made anything of them: a request's header timeout runs from its first
/// byte, which only this side of the decoder can see.
final class RequestBytesWatch: ChannelInboundHandler, RemovableChannelHandler, Sendable {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    /// The user event fired ahead of each read.
    struct BytesArrived: Sendable {
        var count: Int
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.fireUserInboundEventTriggered(BytesArrived(count: unwrapInboundIn(data).readableBytes))
        context.fireChannelRead(data)
    }
}
