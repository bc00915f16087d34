import NIOCore
import NIOHTTP1

/// The raw HTTP/1.1 writer of one connection: serializes status line, headers, body and chunk
/// framing straight into one buffer per flush, instead of going through NIO's response encoder (one
/// pipeline hop and one `write` per response on the hot path). Lives on its channel's event loop.
final class ResponseWriter {
    private let allocator: ByteBufferAllocator
    /// Bytes written since the last flush.
    private var out: ByteBuffer?
    /// Whether the current response uses chunked transfer encoding.
    private(set) var chunked = false
    /// The request being answered is HTTP/1.0: no chunked encoding, keep-alive must be explicit.
    var isHTTP10 = false
    /// Whether the connection stays open after the current response (else `connection: close`).
    var keepAlive = true

    /// The event loop's reusable output buffer, when it has one.
    private let scratch: OutputScratch?

    init(allocator: ByteBufferAllocator, scratch: OutputScratch? = nil) {
        self.allocator = allocator
        self.scratch = scratch
    }

    /// An empty buffer: the event loop's reusable one when it is free, else a new one.
    private func fresh(capacity: Int) -> ByteBuffer {
        if var buffer = scratch?.take() {
            buffer.clear()  // reuses the storage when the last write released it, else copies on write
            return buffer
        }
        return allocator.buffer(capacity: capacity)
    }

    /// Status line and headers. A `transfer-encoding` header switches to chunked framing (dropped
    /// for HTTP/1.0, whose body ends when the connection closes).
    func head(status: HTTPResponseStatus, headers: HTTPHeaders) {
        var buffer = out ?? fresh(capacity: 1024)
        buffer.writeStaticString("HTTP/1.1 ")
        buffer.writeString(String(status.code))
        buffer.writeStaticString(" ")
        buffer.writeString(status.reasonPhrase)
        buffer.writeStaticString("\r\n")
        chunked = false
        for (name, value) in headers {
            if name == "transfer-encoding" {
                if isHTTP10 { continue }
                chunked = true
            }
            buffer.writeString(name)
            buffer.writeStaticString(": ")
            buffer.writeString(value)
            buffer.writeStaticString("\r\n")
        }
        if isHTTP10, keepAlive { buffer.writeStaticString("connection: keep-alive\r\n") }
        buffer.writeStaticString("\r\n")
        out = buffer
    }

    /// Body bytes (one chunk when chunked).
    func body(_ string: String) {
        guard !string.isEmpty else { return }
        var buffer = out ?? fresh(capacity: string.utf8.count + 16)
        if chunked {
            buffer.writeString(String(string.utf8.count, radix: 16))
            buffer.writeStaticString("\r\n")
            buffer.writeString(string)
            buffer.writeStaticString("\r\n")
        } else {
            buffer.writeString(string)
        }
        out = buffer
    }

    /// Body bytes (one chunk when chunked).
    func body(_ body: ByteBuffer) {
        guard body.readableBytes > 0 else { return }
        var body = body
        var buffer = out ?? fresh(capacity: body.readableBytes + 16)
        if chunked {
            buffer.writeString(String(body.readableBytes, radix: 16))
            buffer.writeStaticString("\r\n")
            buffer.writeBuffer(&body)
            buffer.writeStaticString("\r\n")
        } else {
            buffer.writeBuffer(&body)
        }
        out = buffer
    }

    /// Ends the message (the chunked terminator when chunked).
    func end() {
        guard chunked else { return }
        var buffer = out ?? fresh(capacity: 8)
        buffer.writeStaticString("0\r\n\r\n")
        out = buffer
        chunked = false
    }

    /// Appends raw bytes (a whole pre-rendered response) to the pending output.
    func raw(_ write: (inout ByteBuffer) -> Void) {
        var buffer = out ?? fresh(capacity: 1024)
        chunked = false
        write(&buffer)
        out = buffer
    }

    /// Sends what was written since the last flush.
    func flush(context: ChannelHandlerContext) {
        guard let buffer = out else { return }
        out = nil
        context.writeAndFlush(NIOAny(buffer), promise: nil)
        scratch?.give(buffer)
    }

    /// A complete plain response: head with `content-type`, `content-length` and the extra headers,
    /// then the body (`connection: close` when the connection will close).
    func response(_ r: MockResponse) {
        var headers = HTTPHeaders()
        headers.add(name: "content-type", value: r.contentType)
        headers.add(name: "content-length", value: String(r.body.utf8.count))
        for h in r.headers { headers.add(name: h.name, value: h.value) }
        if !keepAlive { headers.add(name: "connection", value: "close") }
        head(status: HTTPResponseStatus(statusCode: r.status), headers: headers)
        body(r.body)
        end()
    }
}

/// One event loop's reusable output buffer: a response is written into it and handed to the
/// channel; once the socket write has released it (usually within that same `writeAndFlush`), the
/// next response on the loop reuses its storage instead of allocating a new buffer (two `malloc`s
/// per response, measured with a uprobe on `malloc` under `Benchmarks/mock/run.sh`). Used only on
/// its event loop (`MockServer` makes one per loop), hence `@unchecked Sendable`.
final class OutputScratch: @unchecked Sendable {
    /// Buffers with more capacity than this are not kept (a large stats document must not stay
    /// allocated).
    static let maxKeptCapacity = 64 * 1024
    private var buffer: ByteBuffer?

    /// The kept buffer, if any (it is no longer kept).
    func take() -> ByteBuffer? {
        defer { buffer = nil }
        return buffer
    }

    /// Keeps `buffer` for the next response (unless it is large).
    func give(_ buffer: ByteBuffer) {
        guard buffer.capacity <= Self.maxKeptCapacity else { return }
        self.buffer = buffer
    }
}
