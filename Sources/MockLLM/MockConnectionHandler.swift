import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Reliability

/// Settings the per-connection handler needs (a slice of `MockServerConfig`).
struct HandlerSettings: Sendable {
    var controlToken: String?
    var insecureControl: Bool
    var allowFaultHeader: Bool
    var maxBodyBytes: Int
    var idleTimeout: TimeAmount
    var maxHang: TimeAmount
}

/// One connection of the mock server: its lifecycle (idle and slow-client timeouts), request
/// assembly (body limit) and pipelining (requests that arrive while a response is being produced
/// wait, in order). Each complete request is routed (`MockRoute`) to the control API, the model list
/// or a completion, whose decision `FaultEnactor` acts out. Lives on its channel's event loop.
final class MockConnectionHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = ByteBuffer

    private let state: MockState
    private let settings: HandlerSettings
    private let control: ControlAPI
    private let progress: RequestProgress
    private let scratch: OutputScratch?
    /// The request-series shard of this connection's event loop.
    private let shard: StatsShard?
    /// The profile's attempt header name, read once per profile change (not under the shared lock per request).
    private var attemptHeader: MockState.AttemptHeaderName?
    private var writer: ResponseWriter!
    private var enactor: FaultEnactor!
    /// Ends the current exchange: made once per connection (a closure per request would be a heap
    /// allocation per request); released in `handlerRemoved`.
    private var finishCurrent: (() -> Void)?

    private var head: HTTPRequestHead?
    private var body: ByteBuffer?
    private var discardingBody = false
    private var responding = false
    private var active = false
    private var waitingSince = NIODeadline.now()
    private var idleTimer: Scheduled<Void>?

    /// Requests that arrived (pipelined) while a response was still being produced.
    private var queued: [HTTPServerRequestPart] = []
    private static let maxQueuedParts = 4096

    init(
        state: MockState, settings: HandlerSettings, progress: RequestProgress, scratch: OutputScratch? = nil,
        shard: StatsShard? = nil
    ) {
        self.state = state
        self.shard = shard
        self.settings = settings
        self.progress = progress
        self.scratch = scratch
        self.control = ControlAPI(state: state, token: settings.controlToken, openWithoutToken: settings.insecureControl)
    }

    // MARK: Lifecycle

    func handlerAdded(context: ChannelHandlerContext) {
        writer = ResponseWriter(allocator: context.channel.allocator, scratch: scratch)
        finishCurrent = { [self] in finishExchange(context: context) }  // the cycle ends in handlerRemoved
        enactor = FaultEnactor(state: state, writer: writer, maxHang: settings.maxHang)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        finishCurrent = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        active = true
        waitingSince = .now()
        scheduleIdleCheck(context: context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        active = false
        enactor.deactivate()
        idleTimer?.cancel()
        idleTimer = nil
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        if let parserError = error as? HTTPParserError, !responding, active {
            // Broken HTTP: answer 400 naming the place if nothing of a response was sent yet, then close.
            writer.keepAlive = false
            queued.removeAll()
            state.recordOther(path: "other", model: "", status: 400, action: "bad_http")
            send(context: context, HTTPErrorPlace.response(parserError))
            return
        }
        context.close(promise: nil)
    }

    private func scheduleIdleCheck(context: ChannelHandlerContext) {
        let period = max(TimeAmount.milliseconds(50), .nanoseconds(settings.idleTimeout.nanoseconds / 4))
        idleTimer = context.eventLoop.assumeIsolated().scheduleTask(in: period) { [self] in
            guard active else { return }
            if !responding, NIODeadline.now() - waitingSince > settings.idleTimeout {
                if head != nil || progress.pending {
                    // A slow client that started a request (perhaps only part of its header block)
                    // and did not finish it in time.
                    writer.keepAlive = false
                    state.recordOther(path: "other", model: "", status: 408, action: "request_timeout")
                    send(
                        context: context,
                        .error(
                            408, type: "timeout", code: "request_timeout",
                            message: "Request timed out: the request was not completed in time."))
                } else {
                    context.close(promise: nil)
                }
                return
            }
            scheduleIdleCheck(context: context)
        }
    }

    // MARK: Reading and pipelining

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
            writer.isHTTP10 = h.version.major == 1 && h.version.minor == 0
            body = nil
            discardingBody = false
            writer.keepAlive = h.isKeepAlive
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
            progress.pending = false
            guard !discardingBody, let h = head else { return }
            dispatch(context: context, head: h)
        }
    }

    private func rejectTooLarge(context: ChannelHandlerContext) {
        discardingBody = true
        body = nil
        writer.keepAlive = false
        if let h = head {
            let path = MockRoute.split(uri: h.uri).path
            if case .completion = MockRoute.resolve(method: h.method, path: path) {
                state.recordRejectedCall(
                    path: path, model: "", status: 413, action: "too_large_body",
                    idempotencyKey: CompletionRequest.idempotencyKey(h), attempt: h.headers.first(name: state.attemptHeaderName))
            }
        }
        send(
            context: context,
            .error(
                413, code: "request_too_large",
                message: "Request body is larger than the limit of \(settings.maxBodyBytes) bytes."))
    }

    // MARK: Dispatch

    private func dispatch(context: ChannelHandlerContext, head h: HTTPRequestHead) {
        let (path, query) = MockRoute.split(uri: h.uri)
        switch MockRoute.resolve(method: h.method, path: path) {
        case .completion(let path):
            completion(context: context, head: h, path: path)
        case .models(let path):
            state.recordOther(path: path, model: "", status: 200, action: "models")
            send(context: context, .json(200, MockWire.models(state.profile.models)))
        case .control(let endpoint):
            let request = ControlAPI.Request(
                endpoint: endpoint, method: h.method, query: query,
                authorization: h.headers.first(name: "authorization"),
                fromLoopback: ControlAPI.isLoopback(ip: context.channel.remoteAddress?.ipAddress),
                body: body.map { Array($0.readableBytesView) } ?? [])
            send(context: context, control.handle(request))
        case .methodNotAllowed(let path, let allow):
            state.recordOther(path: path, model: "", status: 405, action: "method_not_allowed")
            send(
                context: context,
                .error(
                    405, code: "method_not_allowed", message: "Method not allowed: \(path) accepts \(allow).",
                    headers: [.init("allow", allow)]))
        case .notFound(let path):
            state.recordOther(path: "other", model: "", status: 404, action: "not_found")
            send(
                context: context,
                .error(404, code: "unknown_url", message: "Unknown request URL: \(h.method.rawValue) \(path)."))
        }
    }

    private func completion(context: ChannelHandlerContext, head h: HTTPRequestHead, path: String) {
        let parsed: CompletionRequest
        do {
            parsed = try CompletionRequest.parse(
                head: h, body: body, path: path, allowFaultHeader: settings.allowFaultHeader)
        } catch {
            state.recordRejectedCall(
                path: path, model: error.model, status: error.response.status, action: error.action,
                idempotencyKey: CompletionRequest.idempotencyKey(h), attempt: h.headers.first(name: state.attemptHeaderName))
            return send(context: context, error.response)
        }
        let started = NIODeadline.now()
        let attempt = MockState.attemptValue(h.headers.first(name: state.attemptHeaderName(cached: &attemptHeader)))
        let (decision, n, seed, metrics) = state.decide(
            parsed.fault, override: parsed.override, tag: parsed.chat.tag, shard: shard, attemptValue: attempt)
        var idSource = SplitMix64(seed: seed ^ (n &* 0xD1B5_4A32_D192_ED03))
        let exchange = Exchange(
            request: parsed.chat, decision: decision, requestNumber: idSource.next(),
            groq: parsed.fault.isGroqPath, created: Int(time(nil)), path: path, started: started, metrics: metrics)
        responding = true
        guard let finish = finishCurrent else { return }
        enactor.enact(context: context, exchange, finish: finish)
    }

    // MARK: Responses

    /// Writes a complete plain response and finishes the exchange.
    private func send(context: ChannelHandlerContext, _ response: MockResponse) {
        responding = true
        writer.response(response)
        writer.flush(context: context)
        finishExchange(context: context)
    }

    private func finishExchange(context: ChannelHandlerContext) {
        responding = false
        head = nil
        body = nil
        waitingSince = .now()
        if !writer.keepAlive {
            queued.removeAll()
            context.close(promise: nil)
            return
        }
        if !queued.isEmpty {
            // Let the current write go out first, then serve the next pipelined request.
            context.eventLoop.assumeIsolated().execute { [self] in drainQueue(context: context) }
        }
    }
}
