import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Reliability

/// Settings the per-connection handler needs (a slice of `MockServerConfig`).
struct HandlerSettings: Sendable {
    var controlToken: String?
    var allowFaultHeader: Bool
    var maxBodyBytes: Int
    var idleTimeout: TimeAmount
    var maxHang: TimeAmount
}

/// One connection of the mock server: parses requests, asks `MockState` for a decision and acts it
/// out on the wire (status bodies, latency, streams, resets, truncation, hangs, drips, malformed and
/// empty bodies, mid-stream errors). Lives on its channel's event loop.
final class MockHTTPHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = ByteBuffer

    private let state: MockState
    private let settings: HandlerSettings

    private var head: HTTPRequestHead?
    private var body: ByteBuffer?
    private var discardingBody = false
    private var responding = false
    private var keepAlive = true
    private var active = false
    private var waitingSince = NIODeadline.now()
    private var timer: Scheduled<Void>?
    private var idleTimer: Scheduled<Void>?

    init(state: MockState, settings: HandlerSettings) {
        self.state = state
        self.settings = settings
    }

    // MARK: Connection lifecycle

    func channelActive(context: ChannelHandlerContext) {
        active = true
        waitingSince = .now()
        scheduleIdleCheck(context: context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        active = false
        timer?.cancel()
        timer = nil
        idleTimer?.cancel()
        idleTimer = nil
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        if error is HTTPParserError, !responding, active {
            // Broken HTTP: answer 400 if nothing of a response was sent yet, then close.
            keepAlive = false
            queued.removeAll()
            sendError(
                context: context, status: 400, type: "invalid_request_error", code: "bad_http",
                message: "The request is not valid HTTP/1.1.", path: nil)
            return
        }
        context.close(promise: nil)
    }

    private func scheduleIdleCheck(context: ChannelHandlerContext) {
        let period = max(TimeAmount.milliseconds(50), .nanoseconds(settings.idleTimeout.nanoseconds / 4))
        idleTimer = context.eventLoop.assumeIsolated().scheduleTask(in: period) { [self] in
            guard active else { return }
            if !responding, NIODeadline.now() - waitingSince > settings.idleTimeout {
                if head != nil {
                    // A slow client that started a request and did not finish it in time.
                    keepAlive = false
                    sendError(context: context, status: 408, type: "timeout", code: "request_timeout",
                              message: "Request timed out: the request was not completed in time.", path: "other")
                } else {
                    context.close(promise: nil)
                }
                return
            }
            scheduleIdleCheck(context: context)
        }
    }

    // MARK: Reading

    /// Requests that arrived (pipelined) while a response was still being produced.
    private var queued: [HTTPServerRequestPart] = []
    private static let maxQueuedParts = 4096

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        if responding || !queued.isEmpty {
            guard queued.count < Self.maxQueuedParts else {
                context.close(promise: nil)
                return
            }
            queued.append(part)
            return
        }
        handle(context: context, part)
    }

    /// Processes queued pipelined requests once the previous response is complete.
    private func drainQueue(context: ChannelHandlerContext) {
        while active, !responding, !queued.isEmpty {
            handle(context: context, queued.removeFirst())
        }
    }

    private func handle(context: ChannelHandlerContext, _ part: HTTPServerRequestPart) {
        switch part {
        case .head(let h):
            head = h
            requestIsHTTP10 = h.version.major == 1 && h.version.minor == 0
            body = nil
            discardingBody = false
            keepAlive = h.isKeepAlive
            if let lengthText = h.headers.first(name: "content-length"), let length = Int(lengthText),
                length > settings.maxBodyBytes
            {
                rejectTooLarge(context: context)
            }
        case .body(var chunk):
            guard !discardingBody, head != nil else { return }
            if (body?.readableBytes ?? 0) + chunk.readableBytes > settings.maxBodyBytes {
                rejectTooLarge(context: context)
                return
            }
            if body == nil { body = chunk } else { body!.writeBuffer(&chunk) }
        case .end:
            guard !discardingBody, let h = head else { return }
            route(context: context, head: h)
        }
    }

    private func rejectTooLarge(context: ChannelHandlerContext) {
        discardingBody = true
        body = nil
        keepAlive = false
        sendError(
            context: context, status: 413, type: "invalid_request_error", code: "request_too_large",
            message: "Request body is larger than the limit of \(settings.maxBodyBytes) bytes.", path: "other")
    }

    // MARK: Routing

    private func route(context: ChannelHandlerContext, head h: HTTPRequestHead) {
        let uri = h.uri
        let path = uri.utf8.firstIndex(of: UInt8(ascii: "?")).map { String(uri[..<$0]) } ?? uri
        switch path {
        case "/v1/chat/completions", "/openai/v1/chat/completions":
            guard h.method == .POST else { return methodNotAllowed(context: context, allow: "POST", path: path) }
            completion(context: context, head: h, path: path)
        case "/v1/models", "/openai/v1/models":
            guard h.method == .GET else { return methodNotAllowed(context: context, allow: "GET", path: path) }
            state.recordOther(path: path, model: "", status: 200, action: "models")
            sendJSON(context: context, status: .ok, body: MockWire.models(state.profile.models))
        case "/_squall/profile", "/_squall/reset", "/_squall/stats", "/metrics":
            control(context: context, head: h, path: path)
        default:
            state.recordOther(path: "other", model: "", status: 404, action: "not_found")
            sendError(
                context: context, status: 404, type: "invalid_request_error", code: "unknown_url",
                message: "Unknown request URL: \(h.method.rawValue) \(path).", path: nil)
        }
    }

    private func methodNotAllowed(context: ChannelHandlerContext, allow: String, path: String) {
        state.recordOther(path: path, model: "", status: 405, action: "method_not_allowed")
        sendError(
            context: context, status: 405, type: "invalid_request_error", code: "method_not_allowed",
            message: "Method not allowed: \(path) accepts \(allow).", path: nil, extra: [("allow", allow)])
    }

    // MARK: Control API

    private func control(context: ChannelHandlerContext, head h: HTTPRequestHead, path: String) {
        if let token = settings.controlToken {
            guard h.headers.first(name: "authorization") == "Bearer " + token else {
                return sendError(
                    context: context, status: 401, type: "invalid_request_error", code: "invalid_control_token",
                    message: "The control API needs 'Authorization: Bearer <control token>'.", path: nil)
            }
        } else if !Self.isLoopback(context.channel.remoteAddress) {
            return sendError(
                context: context, status: 403, type: "permission_denied", code: "control_not_allowed",
                message: "The control API answers only on loopback unless --control-token is set.", path: nil)
        }
        switch (path, h.method) {
        case ("/_squall/profile", .GET):
            let text = state.profileText
            let isJSON = text.first(where: { !$0.isWhitespace }) == "{"
            send(context: context, status: .ok, contentType: isJSON ? "application/json" : "application/yaml", body: text)
        case ("/_squall/profile", .PUT), ("/_squall/profile", .POST):
            let text = body.map { String(decoding: $0.readableBytesView, as: UTF8.self) } ?? ""
            do {
                let profile = try FaultProfile.parse(text, file: "<request body>")
                state.replace(profile: profile, text: text)
                sendJSON(context: context, status: .ok, body: "{\"ok\":true,\"rules\":\(profile.faults.count)}")
            } catch {
                sendError(
                    context: context, status: 400, type: "invalid_profile", code: "invalid_profile",
                    message: error.description, path: nil)
            }
        case ("/_squall/reset", .POST):
            state.reset()
            sendJSON(context: context, status: .ok, body: "{\"ok\":true}")
        case ("/_squall/stats", .GET):
            sendJSON(context: context, status: .ok, body: state.stats.json(scenarioSeconds: state.scenarioNow().seconds))
        case ("/metrics", .GET):
            send(context: context, status: .ok, contentType: "text/plain; version=0.0.4", body: state.stats.prometheus())
        default:
            let allow = path == "/_squall/profile" ? "GET, PUT" : (path == "/_squall/reset" ? "POST" : "GET")
            sendError(
                context: context, status: 405, type: "invalid_request_error", code: "method_not_allowed",
                message: "Method not allowed: \(path) accepts \(allow).", path: nil, extra: [("allow", allow)])
        }
    }

    static func isLoopback(_ address: SocketAddress?) -> Bool {
        guard let ip = address?.ipAddress else { return false }
        return ip.hasPrefix("127.") || ip == "::1" || ip.hasPrefix("::ffff:127.")
    }

    // MARK: Completions

    private func completion(context: ChannelHandlerContext, head h: HTTPRequestHead, path: String) {
        let request: ChatRequest
        do {
            request = try ChatRequest.parse(body?.readableBytesView ?? ByteBuffer().readableBytesView)
        } catch {
            state.recordOther(path: path, model: "", status: 400, action: "bad_request")
            return sendError(
                context: context, status: 400, type: "invalid_request_error", code: nil, message: error.message,
                path: nil, param: error.param)
        }
        var override: FaultRule?
        if settings.allowFaultHeader, let value = h.headers.first(name: FaultHeader.name) {
            do {
                override = try FaultHeader.parse(value)
            } catch {
                state.recordOther(path: path, model: request.model, status: 400, action: "bad_fault_header")
                return sendError(
                    context: context, status: 400, type: "invalid_request_error", code: "invalid_fault_header",
                    message: error.description, path: nil, param: FaultHeader.name)
            }
        }
        let key = h.headers.first(name: "idempotency-key") ?? h.headers.first(name: "x-idempotency-key")
        var apiKey: String?
        if let auth = h.headers.first(name: "authorization"), auth.hasPrefix("Bearer ") {
            apiKey = String(auth.dropFirst(7))
        }
        let fr = FaultRequest(
            path: path, model: request.model, stream: request.stream, attempt: 1, idempotencyKey: key,
            apiKey: apiKey, promptTokens: request.promptTokens, maxTokens: request.maxTokens, now: .zero)
        let (decision, n) = state.decide(fr, override: override) { h.headers.first(name: $0) }
        var idSource = SplitMix64(seed: state.seed ^ (n &* 0xD1B5_4A32_D192_ED03))
        let requestID = "req_" + MockWire.hex(idSource.next(), width: 16)
        let exchange = Exchange(
            request: request, decision: decision, requestID: requestID, groq: fr.isGroqPath,
            created: Int(time(nil)))
        responding = true
        let delay = state.realDelay(decision.delay)
        if delay <= .zero {
            act(context: context, exchange)  // no closure to allocate on the common, instant path
        } else {
            after(delay, context: context) { [self] in
                act(context: context, exchange)
            }
        }
    }

    /// Everything needed to write one completion response.
    struct Exchange {
        var request: ChatRequest
        var decision: FaultDecision
        var requestID: String
        var groq: Bool
        var created: Int
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

    private func baseHeaders(_ x: Exchange, contentType: String) -> HTTPHeaders {
        var headers = HTTPHeaders()
        headers.reserveCapacity(10)
        headers.add(name: "content-type", value: contentType)
        headers.add(name: "x-request-id", value: x.requestID)
        if let rl = x.decision.rateLimitHeaders {
            for (name, value) in rl.pairs { headers.add(name: name, value: value) }
        }
        if !keepAlive { headers.add(name: "connection", value: "close") }
        return headers
    }

    private func act(context: ChannelHandlerContext, _ x: Exchange) {
        switch x.decision.action {
        case .healthy(let reply):
            if x.request.stream {
                let events = events(x, reply)
                writeStreamHead(context: context, x)
                streamEvents(context: context, events, from: 0, reply: reply, stopAfter: nil) { [self] in
                    endResponse(context: context)
                }
            } else {
                writeHealthyCompletion(context: context, x, reply)
            }
        case .status(let fault):
            writeStatusFault(context: context, x, fault)
        case .connection(let fault, let reply):
            actConnectionFault(context: context, x, fault, reply)
        }
    }

    /// The reusable buffer a healthy body is rendered into before its length is known.
    private var bodyScratch: ByteBuffer?

    /// A healthy non-streaming completion, rendered straight into the output buffer: the same bytes
    /// and headers as `baseHeaders` + `content-length` + `MockWire.completion`, without the
    /// intermediate Strings and `HTTPHeaders`.
    private func writeHealthyCompletion(context: ChannelHandlerContext, _ x: Exchange, _ reply: ReplyPlan) {
        var body = bodyScratch ?? context.channel.allocator.buffer(capacity: 1024)
        bodyScratch = nil
        body.clear()
        CompletionWriter.write(
            into: &body, model: x.request.model, reply: reply, created: x.created, requestID: x.requestID, groq: x.groq)
        assert(
            String(buffer: body)
                == MockWire.completion(
                    model: x.request.model, reply: reply, created: x.created, requestID: x.requestID, groq: x.groq))
        var buffer = out ?? context.channel.allocator.buffer(capacity: body.readableBytes + 512)
        buffer.writeStaticString("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nx-request-id: ")
        buffer.writeString(x.requestID)
        buffer.writeStaticString("\r\n")
        if let rl = x.decision.rateLimitHeaders {
            for (name, value) in rl.pairs {
                buffer.writeString(name)
                buffer.writeStaticString(": ")
                buffer.writeString(value)
                buffer.writeStaticString("\r\n")
            }
        }
        if !keepAlive { buffer.writeStaticString("connection: close\r\n") }
        buffer.writeStaticString("content-length: ")
        CompletionWriter.writeDecimal(body.readableBytes, into: &buffer)
        buffer.writeStaticString("\r\n")
        if requestIsHTTP10, keepAlive { buffer.writeStaticString("connection: keep-alive\r\n") }
        buffer.writeStaticString("\r\n")
        buffer.writeImmutableBuffer(body)
        bodyScratch = body
        chunked = false
        out = buffer
        endResponse(context: context)
    }

    private func events(_ x: Exchange, _ reply: ReplyPlan) -> [String] {
        MockWire.streamEvents(
            model: x.request.model, reply: reply, created: x.created, requestID: x.requestID,
            includeUsage: x.request.includeUsage, groq: x.groq)
    }

    private func writeStreamHead(context: ChannelHandlerContext, _ x: Exchange) {
        if requestIsHTTP10 { keepAlive = false }  // no chunked encoding in HTTP/1.0: close ends the stream
        var headers = baseHeaders(x, contentType: "text/event-stream; charset=utf-8")
        headers.add(name: "cache-control", value: "no-cache")
        headers.add(name: "transfer-encoding", value: "chunked")
        writeHead(context: context, status: .ok, headers: headers)
        flushOut(context: context)
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
                    flushOut(context: context)
                    let next = i
                    after(gap, context: context) { [self] in
                        writeEvent(context: context, events[next])
                        streamEvents(context: context, events, from: next + 1, reply: reply, stopAfter: stopAfter, done: done)
                    }
                    return
                }
            }
            writeEvent(context: context, events[i])
            i += 1
        }
        flushOut(context: context)
        done()
    }

    private func writeEvent(context: ChannelHandlerContext, _ event: String) {
        writeBody(context: context, string: event)
    }

    private func endResponse(context: ChannelHandlerContext) {
        writeEnd(context: context)
        flushOut(context: context)
        finishExchange(context: context)
    }

    private func finishExchange(context: ChannelHandlerContext) {
        responding = false
        head = nil
        body = nil
        waitingSince = .now()
        if !keepAlive {
            queued.removeAll()
            context.close(promise: nil)
            return
        }
        if !queued.isEmpty {
            // Let the current write go out first, then serve the next pipelined request.
            context.eventLoop.assumeIsolated().execute { [self] in drainQueue(context: context) }
        }
    }

    private func writeStatusFault(context: ChannelHandlerContext, _ x: Exchange, _ fault: StatusFault) {
        let text = ErrorBody.json(for: fault, model: x.request.model)
        var headers = baseHeaders(x, contentType: "application/json")
        if let d = fault.retryAfter { headers.add(name: "retry-after", value: Self.number(d.seconds)) }
        if let d = fault.retryAfterDate {
            headers.add(name: "retry-after", value: HTTPDate.format(Date().addingTimeInterval(d.seconds / state.timeScale)))
        }
        if let d = fault.retryAfterMs { headers.add(name: "retry-after-ms", value: Self.number(d.milliseconds)) }
        if let s = fault.shouldRetry { headers.add(name: "x-should-retry", value: s ? "true" : "false") }
        headers.add(name: "content-length", value: String(text.utf8.count))
        let status = HTTPResponseStatus(statusCode: fault.status)
        writeHead(context: context, status: status, headers: headers)
        writeBody(context: context, string: text)
        endResponse(context: context)
    }

    /// `2`, `1.5`, `0.25`: a header number without trailing zeros.
    static func number(_ v: Double) -> String {
        if v == v.rounded() { return String(Int(v)) }
        var t = String(format: "%.3f", v)
        while t.hasSuffix("0") { t.removeLast() }
        return t
    }

    private func actConnectionFault(context: ChannelHandlerContext, _ x: Exchange, _ fault: ConnectionFault, _ reply: ReplyPlan) {
        switch fault {
        case .reset:
            Self.reset(context: context)
        case .hang:
            keepAlive = false
            timer = context.eventLoop.assumeIsolated().scheduleTask(in: settings.maxHang) {
                context.close(promise: nil)
            }
        case .empty:
            if x.request.stream {
                writeStreamHead(context: context, x)
            } else {
                var headers = baseHeaders(x, contentType: "application/json")
                headers.add(name: "content-length", value: "0")
                writeHead(context: context, status: .ok, headers: headers)
            }
            endResponse(context: context)
        case .malformed:
            if x.request.stream {
                var events = events(x, reply)
                let bad = min(1, events.count - 2)
                let good = events[bad]
                events[bad] = String(good.prefix(good.utf8.count / 2)) + "\n\n"
                writeStreamHead(context: context, x)
                streamEvents(context: context, events, from: 0, reply: reply, stopAfter: nil) { [self] in
                    endResponse(context: context)
                }
            } else {
                let full = MockWire.completion(
                    model: x.request.model, reply: reply, created: x.created, requestID: x.requestID, groq: x.groq)
                let text = String(full.prefix(full.count / 2))
                var headers = baseHeaders(x, contentType: "application/json")
                headers.add(name: "content-length", value: String(text.utf8.count))
                writeHead(context: context, status: .ok, headers: headers)
                writeBody(context: context, string: text)
                endResponse(context: context)
            }
        case .truncate(let afterBytes, let afterChunks):
            keepAlive = false
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
                writeHead(context: context, status: .ok, headers: headers)
                var buffer = context.channel.allocator.buffer(string: text)
                let keep = min(afterBytes, max(0, buffer.readableBytes - 1))
                buffer.moveWriterIndex(to: buffer.readerIndex + keep)
                writeBody(context: context, buffer)
        flushOut(context: context)
                context.close(promise: nil)
            }
        case .streamError(let afterChunks):
            writeStreamHead(context: context, x)
            streamEvents(context: context, events(x, reply), from: 0, reply: reply, stopAfter: afterChunks) { [self] in
                let error = ErrorBody.json(
                    type: "server_error", code: "internal_server_error",
                    message: "The server had an error while processing your request. Sorry about that!")
                writeEvent(context: context, "data: {\"error\":" + String(error.dropFirst("{\"error\":".count).dropLast()) + "}\n\n")
                endResponse(context: context)
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
                writeHead(context: context, status: .ok, headers: headers)
        flushOut(context: context)
            }
            let realRate = Double(bps) * state.timeScale  // bytes per real second
            let interval = max(0.02, 1 / realRate)
            drip(context: context, bytes: bytes, sent: 0, start: .now(), rate: realRate, interval: interval)
        }
    }

    private func drip(context: ChannelHandlerContext, bytes: [UInt8], sent: Int, start: NIODeadline, rate: Double, interval: Double) {
        let elapsed = Double((NIODeadline.now() - start).nanoseconds) / 1e9
        let due = min(bytes.count, max(sent + 1, Int(elapsed * rate)))
        if due > sent {
            let buffer = context.channel.allocator.buffer(bytes: bytes[sent..<due])
            writeBody(context: context, buffer)
        flushOut(context: context)
        }
        if due >= bytes.count {
            endResponse(context: context)
            return
        }
        after(.nanoseconds(Int64(interval * 1e9)), context: context) { [self] in
            drip(context: context, bytes: bytes, sent: due, start: start, rate: rate, interval: interval)
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

    // MARK: Raw HTTP/1.1 output
    //
    // Responses are serialized here straight into one buffer per flush (status line, headers, body,
    // chunk framing), instead of going through NIO's response encoder: one pipeline hop and one
    // write per response on the hot path.

    private var out: ByteBuffer?
    private var chunked = false
    private var requestIsHTTP10 = false

    private func writeHead(context: ChannelHandlerContext, status: HTTPResponseStatus, headers: HTTPHeaders) {
        var buffer = out ?? context.channel.allocator.buffer(capacity: 1024)
        buffer.writeStaticString("HTTP/1.1 ")
        buffer.writeString(String(status.code))
        buffer.writeStaticString(" ")
        buffer.writeString(status.reasonPhrase)
        buffer.writeStaticString("\r\n")
        chunked = false
        for (name, value) in headers {
            if name == "transfer-encoding" {
                if requestIsHTTP10 { continue }  // HTTP/1.0: the body ends when the connection closes
                chunked = true
            }
            buffer.writeString(name)
            buffer.writeStaticString(": ")
            buffer.writeString(value)
            buffer.writeStaticString("\r\n")
        }
        if requestIsHTTP10, keepAlive { buffer.writeStaticString("connection: keep-alive\r\n") }
        buffer.writeStaticString("\r\n")
        out = buffer
    }

    private func writeBody(context: ChannelHandlerContext, string: String) {
        guard !string.isEmpty else { return }
        var buffer = out ?? context.channel.allocator.buffer(capacity: string.utf8.count + 16)
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

    private func writeBody(context: ChannelHandlerContext, _ body: ByteBuffer) {
        guard body.readableBytes > 0 else { return }
        var body = body
        var buffer = out ?? context.channel.allocator.buffer(capacity: body.readableBytes + 16)
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

    private func writeEnd(context: ChannelHandlerContext) {
        guard chunked else { return }
        var buffer = out ?? context.channel.allocator.buffer(capacity: 8)
        buffer.writeStaticString("0\r\n\r\n")
        out = buffer
        chunked = false
    }

    private func flushOut(context: ChannelHandlerContext) {
        guard let buffer = out else { return }
        out = nil
        context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
    }

    // MARK: Plain responses

    private func sendJSON(context: ChannelHandlerContext, status: HTTPResponseStatus, body: String) {
        send(context: context, status: status, contentType: "application/json", body: body)
    }

    private func send(
        context: ChannelHandlerContext, status: HTTPResponseStatus, contentType: String, body: String,
        extra: [(String, String)] = []
    ) {
        var headers = HTTPHeaders()
        headers.add(name: "content-type", value: contentType)
        headers.add(name: "content-length", value: String(body.utf8.count))
        for (n, v) in extra { headers.add(name: n, value: v) }
        if !keepAlive { headers.add(name: "connection", value: "close") }
        responding = true
        writeHead(context: context, status: status, headers: headers)
        writeBody(context: context, string: body)
        endResponse(context: context)
    }

    private func sendError(
        context: ChannelHandlerContext, status: Int, type: String, code: String?, message: String, path: String?,
        param: String? = nil, extra: [(String, String)] = []
    ) {
        send(
            context: context, status: HTTPResponseStatus(statusCode: status), contentType: "application/json",
            body: ErrorBody.json(type: type, code: code, message: message, param: param), extra: extra)
    }
}
