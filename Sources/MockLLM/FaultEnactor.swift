import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Reliability

/// Everything needed to write one completion response.
struct Exchange {
    /// The validated request body.
    var request: ChatRequest
    /// What the fault plan decided.
    var decision: FaultDecision
    /// The number the `x-request-id` is rendered from (`MockWire.requestID`): the healthy fast path
    /// writes it straight into the response, the other paths make the String when they need it.
    var requestNumber: UInt64
    /// `x-request-id`.
    var requestID: String { MockWire.requestID(requestNumber) }
    /// Groq path (`x_groq` in bodies).
    var groq: Bool
    /// `created` of the body (Unix seconds).
    var created: Int
    /// The request path.
    var path: String
    /// When the request was complete (for the response-time histogram).
    var started: NIODeadline
    /// Where the response time is recorded.
    var metrics: MockMetrics
}

/// Acts out a `FaultDecision` on the wire for one connection: healthy bodies and streams, status
/// faults with their headers, resets, truncation, hangs, drips, malformed and empty bodies and
/// mid-stream errors, with the decided latency and stream gaps. Lives on its channel's event loop;
/// every response ends by calling the `finish` it was given (the connection then serves the next
/// pipelined request or closes).
final class FaultEnactor {
    private let state: MockState
    private let writer: ResponseWriter
    private let maxHang: TimeAmount
    private var timer: Scheduled<Void>?
    /// False once the channel is inactive: pending timers then do nothing.
    private(set) var active = true
    /// The reusable buffer a healthy body is rendered into before its length is known.
    private var bodyScratch: ByteBuffer?
    /// Where and since when the current response's time is recorded when it ends (not the whole
    /// `Exchange`, whose copy would cost retains on the hot path).
    private var timing: (metrics: MockMetrics, path: String, started: NIODeadline)?

    init(state: MockState, writer: ResponseWriter, maxHang: TimeAmount) {
        self.state = state
        self.writer = writer
        self.maxHang = maxHang
    }

    /// Stops every pending timer (the channel went away).
    func deactivate() {
        active = false
        timer?.cancel()
        timer = nil
    }

    /// Waits the decision's delay (real time), then writes the response; calls `finish` when done
    /// (after recording the response time when the response was complete).
    func enact(context: ChannelHandlerContext, _ x: Exchange, finish: @escaping () -> Void) {
        timing = (x.metrics, x.path, x.started)
        let delay = state.realDelay(x.decision.delay)
        if delay <= .zero {
            act(context: context, x, finish: finish)  // no closure to allocate on the common, instant path
        } else {
            after(delay, context: context) { [self] in act(context: context, x, finish: finish) }
        }
    }

    private func after(_ delay: TimeAmount, context: ChannelHandlerContext, _ body: @escaping () -> Void) {
        if delay <= .zero {
            body()
            return
        }
        timer = context.eventLoop.assumeIsolated().scheduleTask(in: delay) { [self] in
            guard active else { return }
            body()
        }
    }

    private func end(context: ChannelHandlerContext, finish: () -> Void) {
        writer.end()
        if let t = timing {
            // Before the last byte leaves, so a client that reads the response and then scrapes
            // /metrics sees it counted.
            t.metrics.recordResponse(path: t.path, since: t.started)
            timing = nil
        }
        writer.flush(context: context)
        finish()
    }

    private func baseHeaders(_ x: Exchange, contentType: String) -> HTTPHeaders {
        var headers = HTTPHeaders()
        headers.reserveCapacity(10)
        headers.add(name: "content-type", value: contentType)
        headers.add(name: "x-request-id", value: x.requestID)
        if let rl = x.decision.rateLimitHeaders {
            for (name, value) in rl.pairs { headers.add(name: name, value: value) }
        }
        if !writer.keepAlive { headers.add(name: "connection", value: "close") }
        if let us = Self.delayMicros(x) { headers.add(name: Self.delayHeader, value: String(us)) }
        return headers
    }

    /// The response header carrying the scenario time the mock waited before answering (whole
    /// microseconds; only when above zero), so a live client can tell its own real overhead from
    /// the latency the scenario asked for (`round trip − delay ÷ K`).
    static let delayHeader = "x-squall-delay-us"

    /// The decision's delay in whole scenario microseconds, nil when zero.
    static func delayMicros(_ x: Exchange) -> Int64? {
        let c = x.decision.delay.components
        let us = c.seconds * 1_000_000 + c.attoseconds / 1_000_000_000_000
        return us > 0 ? us : nil
    }

    private func act(context: ChannelHandlerContext, _ x: Exchange, finish: @escaping () -> Void) {
        switch x.decision.action {
        case .healthy(let reply):
            if x.request.stream {
                let events = events(x, reply)
                writeStreamHead(context: context, x)
                streamEvents(context: context, events, from: 0, reply: reply, stopAfter: nil) { [self] in
                    end(context: context, finish: finish)
                }
            } else {
                writeHealthyCompletion(context: context, x, reply)
                end(context: context, finish: finish)
            }
        case .status(let fault):
            writeStatusFault(x, fault)
            end(context: context, finish: finish)
        case .connection(let fault, let reply):
            actConnectionFault(context: context, x, fault, reply, finish: finish)
        }
    }

    /// A healthy non-streaming completion, rendered straight into the output buffer: the same bytes
    /// and headers as `baseHeaders` + `content-length` + `MockWire.completion`, without the
    /// intermediate Strings and `HTTPHeaders`.
    private func writeHealthyCompletion(context: ChannelHandlerContext, _ x: Exchange, _ reply: ReplyPlan) {
        var body = bodyScratch ?? context.channel.allocator.buffer(capacity: 1024)
        bodyScratch = nil
        body.clear()
        CompletionWriter.write(
            into: &body, model: x.request.model, reply: reply, created: x.created, requestNumber: x.requestNumber, groq: x.groq)
        assert(
            String(buffer: body)
                == MockWire.completion(
                    model: x.request.model, reply: reply, created: x.created, requestID: x.requestID, groq: x.groq))
        let keepAlive = writer.keepAlive
        let http10 = writer.isHTTP10
        let rateLimit = x.decision.rateLimitHeaders?.pairs ?? []
        var bound = 200 + MockWire.requestIDBytes + 3 * RawByteWriter.maxDecimalBytes
        for (name, value) in rateLimit { bound += name.utf8.count + value.utf8.count + 4 }
        let delay = Self.delayMicros(x)
        writer.raw { buffer in
            // The head in one buffer operation (`RawByteWriter`), then the body.
            buffer.writeRaw(bound: bound) { w in
                w.append("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nx-request-id: ")
                w.appendRequestID(x.requestNumber)
                w.append("\r\n")
                for (name, value) in rateLimit {
                    w.append(name)
                    w.append(": ")
                    w.append(value)
                    w.append("\r\n")
                }
                if !keepAlive { w.append("connection: close\r\n") }
                if let delay {
                    w.append("x-squall-delay-us: ")
                    w.appendDecimal(Int(delay))
                    w.append("\r\n")
                }
                w.append("content-length: ")
                w.appendDecimal(body.readableBytes)
                w.append("\r\n")
                if http10, keepAlive { w.append("connection: keep-alive\r\n") }
                w.append("\r\n")
            }
            buffer.writeImmutableBuffer(body)
        }
        bodyScratch = body
    }

    private func events(_ x: Exchange, _ reply: ReplyPlan) -> [String] {
        MockWire.streamEvents(
            model: x.request.model, reply: reply, created: x.created, requestID: x.requestID,
            includeUsage: x.request.includeUsage, groq: x.groq)
    }

    private func writeStreamHead(context: ChannelHandlerContext, _ x: Exchange) {
        if writer.isHTTP10 { writer.keepAlive = false }  // no chunked encoding in HTTP/1.0: close ends the stream
        var headers = baseHeaders(x, contentType: "text/event-stream; charset=utf-8")
        headers.add(name: "cache-control", value: "no-cache")
        headers.add(name: "transfer-encoding", value: "chunked")
        writer.head(status: .ok, headers: headers)
        writer.flush(context: context)
    }

    /// Writes events from `index`, waiting the reply's gap before each content chunk after the first.
    /// With `stopAfter`, stops after that many events and calls `done` (which decides how to end).
    private func streamEvents(
        context: ChannelHandlerContext, _ events: [String], from index: Int, reply: ReplyPlan, stopAfter: Int?,
        done: @escaping () -> Void
    ) {
        var i = index
        let limit = min(stopAfter ?? events.count, events.count)
        while i < limit {
            if i > 0, i < reply.completionTokens, i - 1 < reply.gaps.count {
                let gap = state.realDelay(reply.gaps[i - 1])
                if gap > .zero {
                    writer.flush(context: context)
                    let next = i
                    after(gap, context: context) { [self] in
                        writer.body(events[next])
                        streamEvents(context: context, events, from: next + 1, reply: reply, stopAfter: stopAfter, done: done)
                    }
                    return
                }
            }
            writer.body(events[i])
            i += 1
        }
        writer.flush(context: context)
        done()
    }

    private func writeStatusFault(_ x: Exchange, _ fault: StatusFault) {
        let text = ErrorBody.json(for: fault, model: x.request.model)
        var headers = baseHeaders(x, contentType: "application/json")
        if let d = fault.retryAfter { headers.add(name: "retry-after", value: Self.number(d.seconds)) }
        if let d = fault.retryAfterDate {
            headers.add(name: "retry-after", value: HTTPDate.format(Date().addingTimeInterval(d.seconds / state.timeScale)))
        }
        if let d = fault.retryAfterMs { headers.add(name: "retry-after-ms", value: Self.number(d.milliseconds)) }
        if let s = fault.shouldRetry { headers.add(name: "x-should-retry", value: s ? "true" : "false") }
        headers.add(name: "content-length", value: String(text.utf8.count))
        writer.head(status: HTTPResponseStatus(statusCode: fault.status), headers: headers)
        writer.body(text)
    }

    /// `2`, `1.5`, `0.25`: a header number without trailing zeros.
    static func number(_ v: Double) -> String {
        if v == v.rounded() { return String(Int(v)) }
        var t = String(format: "%.3f", v)
        while t.hasSuffix("0") { t.removeLast() }
        return t
    }

    private func actConnectionFault(
        context: ChannelHandlerContext, _ x: Exchange, _ fault: ConnectionFault, _ reply: ReplyPlan,
        finish: @escaping () -> Void
    ) {
        switch fault {
        case .reset:
            Self.reset(context: context)
        case .hang:
            writer.keepAlive = false
            timer = context.eventLoop.assumeIsolated().scheduleTask(in: maxHang) {
                context.close(promise: nil)
            }
        case .empty:
            if x.request.stream {
                writeStreamHead(context: context, x)
            } else {
                var headers = baseHeaders(x, contentType: "application/json")
                headers.add(name: "content-length", value: "0")
                writer.head(status: .ok, headers: headers)
            }
            end(context: context, finish: finish)
        case .malformed:
            if x.request.stream {
                var events = events(x, reply)
                let bad = min(1, events.count - 2)
                let good = events[bad]
                events[bad] = String(good.prefix(good.utf8.count / 2)) + "\n\n"
                writeStreamHead(context: context, x)
                streamEvents(context: context, events, from: 0, reply: reply, stopAfter: nil) { [self] in
                    end(context: context, finish: finish)
                }
            } else {
                let full = MockWire.completion(
                    model: x.request.model, reply: reply, created: x.created, requestID: x.requestID, groq: x.groq)
                let text = String(full.prefix(full.count / 2))
                var headers = baseHeaders(x, contentType: "application/json")
                headers.add(name: "content-length", value: String(text.utf8.count))
                writer.head(status: .ok, headers: headers)
                writer.body(text)
                end(context: context, finish: finish)
            }
        case .truncate(let afterBytes, let afterChunks):
            writer.keepAlive = false
            if x.request.stream {
                writeStreamHead(context: context, x)
                streamEvents(context: context, events(x, reply), from: 0, reply: reply, stopAfter: afterChunks) {
                    context.close(promise: nil)
                }
            } else {
                let text = MockWire.completion(
                    model: x.request.model, reply: reply, created: x.created, requestID: x.requestID, groq: x.groq)
                var headers = baseHeaders(x, contentType: "application/json")
                headers.add(name: "content-length", value: String(text.utf8.count))
                writer.head(status: .ok, headers: headers)
                var buffer = context.channel.allocator.buffer(string: text)
                let keep = min(afterBytes, max(0, buffer.readableBytes - 1))
                buffer.moveWriterIndex(to: buffer.readerIndex + keep)
                writer.body(buffer)
                writer.flush(context: context)
                context.close(promise: nil)
            }
        case .streamError(let afterChunks):
            writeStreamHead(context: context, x)
            streamEvents(context: context, events(x, reply), from: 0, reply: reply, stopAfter: afterChunks) { [self] in
                let error = ErrorBody.json(
                    type: "server_error", code: "internal_server_error",
                    message: "The server had an error while processing your request. Sorry about that!")
                writer.body("data: {\"error\":" + String(error.dropFirst("{\"error\":".count).dropLast()) + "}\n\n")
                end(context: context, finish: finish)
            }
        case .drip(let bps):
            var bytes: [UInt8]
            if x.request.stream {
                writeStreamHead(context: context, x)
                bytes = Array(events(x, reply).joined().utf8)
            } else {
                let text = MockWire.completion(
                    model: x.request.model, reply: reply, created: x.created, requestID: x.requestID, groq: x.groq)
                bytes = Array(text.utf8)
                var headers = baseHeaders(x, contentType: "application/json")
                headers.add(name: "content-length", value: String(bytes.count))
                writer.head(status: .ok, headers: headers)
                writer.flush(context: context)
            }
            let realRate = Double(bps) * state.timeScale  // bytes per real second
            let interval = max(0.02, 1 / realRate)
            drip(context: context, bytes: bytes, sent: 0, start: .now(), rate: realRate, interval: interval, finish: finish)
        }
    }

    private func drip(
        context: ChannelHandlerContext, bytes: [UInt8], sent: Int, start: NIODeadline, rate: Double, interval: Double,
        finish: @escaping () -> Void
    ) {
        let elapsed = Double((NIODeadline.now() - start).nanoseconds) / 1e9
        let due = min(bytes.count, max(sent + 1, Int(elapsed * rate)))
        if due > sent {
            writer.body(context.channel.allocator.buffer(bytes: bytes[sent..<due]))
            writer.flush(context: context)
        }
        if due >= bytes.count {
            end(context: context, finish: finish)
            return
        }
        after(.nanoseconds(Int64(interval * 1e9)), context: context) { [self] in
            drip(context: context, bytes: bytes, sent: due, start: start, rate: rate, interval: interval, finish: finish)
        }
    }

    /// Closes with SO_LINGER 0, so the peer gets a TCP RST instead of a FIN.
    static func reset(context: ChannelHandlerContext) {
        guard let provider = context.channel as? SocketOptionProvider else {
            context.close(promise: nil)
            return
        }
        provider.setSoLinger(linger(l_onoff: 1, l_linger: 0)).assumeIsolated().whenComplete { _ in
            context.close(promise: nil)
        }
    }
}
