import NIOCore

/// Whether bytes of a request arrived since the last complete request of a connection: set by
/// `FastRequestDecoder` (on every read), cleared by the connection handler at each
/// request's end. A connection that times out with bytes pending was stuck in the middle of a
/// request — even inside its header block, before the decoder produced anything — and gets 408.
final class RequestProgress {
    /// Bytes arrived that have not completed a request yet.
    var pending = false
}

/// Answers a connection accepted beyond the connection limit with a 503 and closes it at once, so a
/// client at the file-descriptor limit learns promptly instead of waiting in the accept backlog.
final class ConnectionLimitRefusal: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let limit: Int

    init(limit: Int) {
        self.limit = limit
    }

    func channelActive(context: ChannelHandlerContext) {
        let body = ErrorBody.json(
            type: "server_error", code: "too_many_connections",
            message: "The mock already serves \(limit) connections (its limit, from --max-connections or the file-descriptor limit); retry later.")
        var buffer = context.channel.allocator.buffer(capacity: body.utf8.count + 160)
        buffer.writeString(
            "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\nretry-after: 1\r\nconnection: close\r\ncontent-length: \(body.utf8.count)\r\n\r\n"
        )
        buffer.writeString(body)
        context.writeAndFlush(NIOAny(buffer)).assumeIsolated().whenComplete { _ in context.close(promise: nil) }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {}  // the request is not read
}
