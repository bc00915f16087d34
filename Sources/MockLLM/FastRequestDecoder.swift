import NIOCore
import NIOHTTP1

/// The mock's HTTP/1.1 request decoder: parses the common request — request line, headers,
/// `content-length` body; keep-alive, pipelining, HTTP/1.0 — itself (`RequestHeadParser`) and emits
/// the same `HTTPServerRequestPart`s NIO's `HTTPRequestDecoder` would. Anything unusual (chunked
/// `transfer-encoding`, `expect`, `upgrade`, obs-fold, bare LF, methods and targets outside the common
/// set, heads over 16 KiB, malformed lines…) switches the connection, from the start of that request
/// on, to NIO's `HTTPRequestDecoder` (added behind this handler and fed the buffered bytes), so the
/// answer to odd input is NIO's own. It also marks `RequestProgress.pending` on every read (the
/// slow-client timeout's "a request has started").
///
/// Hand-written for a measured reason: in `perf record -g` of `Benchmarks/mock/run.sh`, llhttp and
/// NIO's `BetterHTTPParser`/`HTTPDecoder` callbacks took ≈ 12.7% of the mock's CPU per request
/// (2026-11-29, main 621a647); see docs/mock.md "Benchmark" for the A/B with this decoder.
final class FastRequestDecoder: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = HTTPServerRequestPart

    private let progress: RequestProgress
    private var parser = RequestHeadParser()
    /// Received bytes not consumed yet (the start of the next head).
    private var buffered: ByteBuffer?
    /// Body bytes of the current request still to come.
    private var bodyRemaining = 0
    /// NIO's decoder has taken over this connection.
    private(set) var handedToNIO = false
    /// The channel went inactive: stop emitting.
    private var inactive = false

    init(progress: RequestProgress) {
        self.progress = progress
    }

    func channelInactive(context: ChannelHandlerContext) {
        inactive = true
        buffered = nil
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        guard bytes.readableBytes > 0 else { return }
        progress.pending = true
        if handedToNIO {
            context.fireChannelRead(data)
            return
        }
        if var earlier = buffered {
            buffered = nil
            earlier.writeBuffer(&bytes)
            decode(context: context, &earlier)
        } else {
            decode(context: context, &bytes)
        }
    }

    private func decode(context: ChannelHandlerContext, _ bytes: inout ByteBuffer) {
        while !inactive {
            if bodyRemaining > 0 {
                let n = min(bodyRemaining, bytes.readableBytes)
                guard n > 0 else { break }
                bodyRemaining -= n
                context.fireChannelRead(wrapInboundOut(.body(bytes.readSlice(length: n)!)))
                if bodyRemaining == 0 { context.fireChannelRead(wrapInboundOut(.end(nil))) }
                continue
            }
            guard bytes.readableBytes > 0 else { break }
            let step = bytes.withUnsafeReadableBytes { parser.parse($0) }
            switch step {
            case .needMore:
                buffered = bytes
                return
            case .unusual:
                handToNIO(context: context, bytes)
                return
            case .complete(let consumed):
                let head = parser.head()
                let length = parser.contentLength ?? 0
                parser.reset()
                bytes.moveReaderIndex(forwardBy: consumed)
                context.fireChannelRead(wrapInboundOut(.head(head)))
                if length == 0 {
                    context.fireChannelRead(wrapInboundOut(.end(nil)))
                } else {
                    bodyRemaining = length
                }
            }
        }
    }

    /// From the current request's first byte on, NIO's decoder reads this connection.
    private func handToNIO(context: ChannelHandlerContext, _ bytes: ByteBuffer) {
        handedToNIO = true
        parser.reset()
        do {
            try context.pipeline.syncOperations.addHandler(
                ByteToMessageHandler(HTTPRequestDecoder(leftOverBytesStrategy: .dropBytes)), position: .after(self))
        } catch {
            context.close(promise: nil)
            return
        }
        context.fireChannelRead(NIOAny(bytes))
    }
}
