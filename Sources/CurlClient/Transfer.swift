import CCurl
import CurlShim
import Reliability

/// One request in flight: its easy handle, header list, and the response being accumulated by
/// libcurl's callbacks. After submission every member is touched only by the event-loop thread
/// (the submitting thread writes `continuation` before handing the transfer over under the
/// loop's lock), hence `@unchecked Sendable`.
final class Transfer: @unchecked Sendable {
    typealias Completion = UnsafeContinuation<Result<HTTPResponse, TransportError>, Never>

    let request: HTTPRequest
    let submittedAt: ContinuousClock.Instant
    let onEvent: (@Sendable (SSEEvent) -> Void)?
    var continuation: Completion?

    var easy: EasyHandle?
    var headerList: UnsafeMutablePointer<curl_slist>?
    var cancelRequested = false

    private var status = 0
    private var headers = HTTPHeaders()
    private var body: [UInt8] = []
    private var parser: SSEParser?
    private var eventCount = 0
    private var firstEventAt: ContinuousClock.Instant?

    init(request: HTTPRequest, onEvent: (@Sendable (SSEEvent) -> Void)?) {
        self.request = request
        self.onEvent = onEvent
        self.submittedAt = .now
    }

    /// Resumes the waiting task exactly once.
    func resume(_ result: Result<HTTPResponse, TransportError>) {
        guard let c = continuation else { return }
        continuation = nil
        c.resume(returning: result)
    }

    // MARK: - Setting up the easy handle

    /// Sets every option of this request on `easy` (freshly reset). Returns an error when curl
    /// rejects an option; the caller then releases the handle and the header list.
    func configure(_ easy: EasyHandle, _ config: HTTPClientConfiguration) -> TransportError? {
        self.easy = easy
        let h = easy.raw
        easy.errorBuffer[0] = 0
        var rc = CURLE_OK
        func check(_ code: CURLcode) { if rc == CURLE_OK { rc = code } }

        check(squall_easy_setopt_pointer(h, CURLOPT_PRIVATE, Unmanaged.passUnretained(self).toOpaque()))
        check(squall_easy_setopt_pointer(h, CURLOPT_ERRORBUFFER, easy.errorBuffer))
        check(squall_easy_setopt_long(h, CURLOPT_NOSIGNAL, 1))
        check(squall_easy_setopt_string(h, CURLOPT_URL, request.url))
        check(squall_easy_setopt_string(h, CURLOPT_PROTOCOLS_STR, "http,https"))
        check(squall_easy_setopt_long(h, CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_1_1)))
        if !config.useEnvironmentProxy { check(squall_easy_setopt_string(h, CURLOPT_PROXY, "")) }
        check(squall_easy_setopt_long(h, CURLOPT_TIMEOUT_MS, curlMilliseconds(request.timeout ?? config.requestTimeout)))
        check(squall_easy_setopt_long(h, CURLOPT_CONNECTTIMEOUT_MS, curlMilliseconds(config.connectTimeout)))
        check(squall_easy_setopt_data_callback(h, CURLOPT_HEADERFUNCTION) { buffer, size, count, me in
            let n = size * count
            guard let buffer, let me else { return n }
            Unmanaged<Transfer>.fromOpaque(me).takeUnretainedValue()
                .receiveHeaderLine(UnsafeRawBufferPointer(start: buffer, count: n))
            return n
        })
        check(squall_easy_setopt_pointer(h, CURLOPT_HEADERDATA, Unmanaged.passUnretained(self).toOpaque()))
        check(squall_easy_setopt_data_callback(h, CURLOPT_WRITEFUNCTION) { buffer, size, count, me in
            let n = size * count
            guard let buffer, let me else { return n }
            Unmanaged<Transfer>.fromOpaque(me).takeUnretainedValue()
                .receiveBody(UnsafeRawBufferPointer(start: buffer, count: n))
            return n
        })
        check(squall_easy_setopt_pointer(h, CURLOPT_WRITEDATA, Unmanaged.passUnretained(self).toOpaque()))

        var list: UnsafeMutablePointer<curl_slist>?
        var listFailed = false
        func add(_ line: String) {
            guard !listFailed else { return }
            if let next = curl_slist_append(list, line) { list = next } else { listFailed = true }
        }
        for field in request.headers {
            // "Name;" is curl's way to send a header with an empty value.
            add(field.value.isEmpty ? field.name + ";" : field.name + ": " + field.value)
        }
        add("Expect:")  // never wait for 100-continue
        headerList = list
        if listFailed { return TransportError(failure: .unreachable, message: "out of memory building the header list") }
        check(squall_easy_setopt_pointer(h, CURLOPT_HTTPHEADER, list.map { UnsafeMutableRawPointer($0) }))
        if let agent = config.userAgent, !request.headers.contains(name: "User-Agent") {
            check(squall_easy_setopt_string(h, CURLOPT_USERAGENT, agent))
        }

        let method = request.method.rawValue
        if method == "HEAD" {
            check(squall_easy_setopt_long(h, CURLOPT_NOBODY, 1))
        } else if method == "POST" || !request.body.isEmpty {
            check(squall_easy_setopt_off_t(h, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(request.body.count)))
            if request.body.isEmpty {
                check("".withCString { squall_easy_setopt_pointer(h, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: $0)) })
            } else {
                check(request.body.withUnsafeBytes {
                    squall_easy_setopt_pointer(h, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: $0.baseAddress!))
                })
            }
            if method != "POST" { check(squall_easy_setopt_string(h, CURLOPT_CUSTOMREQUEST, method)) }
        } else if method != "GET" {
            check(squall_easy_setopt_string(h, CURLOPT_CUSTOMREQUEST, method))
        }

        if rc != CURLE_OK {
            return TransportError(
                failure: .unreachable, curlCode: Int(rc.rawValue),
                message: "could not set up the request for \(request.url): " + String(cString: curl_easy_strerror(rc)))
        }
        return nil
    }

    // MARK: - libcurl callbacks (event-loop thread)

    private func receiveHeaderLine(_ raw: UnsafeRawBufferPointer) {
        var n = raw.count
        while n > 0 && (raw[n - 1] == 0x0A || raw[n - 1] == 0x0D) { n -= 1 }
        if n == 0 {
            // End of a response head. Interim (1xx) heads are followed by the real one.
            if status >= 200, onEvent != nil, status < 300, isEventStream { parser = SSEParser() }
            return
        }
        let line = UnsafeRawBufferPointer(rebasing: raw[0..<n])
        if n >= 5 && line[0] == 0x48 && line[1] == 0x54 && line[2] == 0x54 && line[3] == 0x50 && line[4] == 0x2F {
            // "HTTP/x.y NNN reason": a new head starts.
            headers.removeAll()
            status = 0
            var i = 5
            while i < n && line[i] != 0x20 { i += 1 }
            while i < n && line[i] == 0x20 { i += 1 }
            while i < n, line[i] >= 0x30, line[i] <= 0x39 {
                status = status * 10 + Int(line[i] - 0x30)
                i += 1
            }
            return
        }
        if line[0] == 0x20 || line[0] == 0x09 { return }  // obsolete line folding: ignored
        var colon = 0
        while colon < n && line[colon] != 0x3A { colon += 1 }
        guard colon < n else { return }
        var nameEnd = colon
        while nameEnd > 0 && (line[nameEnd - 1] == 0x20 || line[nameEnd - 1] == 0x09) { nameEnd -= 1 }
        var v = colon + 1
        while v < n && (line[v] == 0x20 || line[v] == 0x09) { v += 1 }
        var vEnd = n
        while vEnd > v && (line[vEnd - 1] == 0x20 || line[vEnd - 1] == 0x09) { vEnd -= 1 }
        headers.append(
            name: String(decoding: UnsafeRawBufferPointer(rebasing: line[0..<nameEnd]), as: UTF8.self),
            value: String(decoding: UnsafeRawBufferPointer(rebasing: line[v..<vEnd]), as: UTF8.self))
    }

    private var isEventStream: Bool {
        guard let type = headers["Content-Type"] else { return false }
        let prefix = "text/event-stream".utf8
        let bytes = Array(type.utf8.prefix(prefix.count))
        return bytes.count == prefix.count && zip(bytes, prefix).allSatisfy { asciiLower($0) == $1 }
    }

    private func receiveBody(_ bytes: UnsafeRawBufferPointer) {
        guard var p = parser, let onEvent else {
            body.append(contentsOf: bytes)
            return
        }
        parser = nil
        let now = ContinuousClock.now
        p.feed(bytes) { fields in
            if firstEventAt == nil { firstEventAt = now }
            onEvent(SSEEvent(
                data: fields.data, event: fields.event, id: fields.id, index: eventCount,
                receivedAt: now, elapsed: now - submittedAt))
            eventCount += 1
        }
        parser = p
    }

    // MARK: - Completion

    /// Builds the outcome from curl's result code and infos. Call before the handle is reset.
    func outcome(code: CURLcode) -> Result<HTTPResponse, TransportError> {
        guard let easy else { return .failure(.shutDown) }
        let h = easy.raw
        if code != CURLE_OK {
            var osError: Int = 0
            _ = squall_easy_getinfo_long(h, CURLINFO_OS_ERRNO, &osError)
            let text = easy.errorText ?? String(cString: curl_easy_strerror(code))
            return .failure(TransportError(
                failure: TransportError.classify(curlCode: Int(code.rawValue), osErrno: Int32(truncatingIfNeeded: osError)),
                curlCode: Int(code.rawValue), osErrno: Int32(truncatingIfNeeded: osError), message: text,
                httpStatus: status > 0 ? status : nil))
        }
        func micros(_ info: CURLINFO) -> Duration {
            var v: curl_off_t = 0
            _ = squall_easy_getinfo_off_t(h, info, &v)
            return .microseconds(v)
        }
        var code: Int = 0
        _ = squall_easy_getinfo_long(h, CURLINFO_RESPONSE_CODE, &code)
        var connects: Int = 0
        _ = squall_easy_getinfo_long(h, CURLINFO_NUM_CONNECTS, &connects)
        let timing = HTTPTiming(
            nameLookup: micros(CURLINFO_NAMELOOKUP_TIME_T), connect: micros(CURLINFO_CONNECT_TIME_T),
            firstByte: micros(CURLINFO_STARTTRANSFER_TIME_T), total: micros(CURLINFO_TOTAL_TIME_T),
            firstEvent: firstEventAt.map { $0 - submittedAt })
        let response = HTTPResponse(
            status: code != 0 ? code : status, headers: headers, body: body, timing: timing,
            reusedConnection: connects == 0, eventCount: eventCount,
            endedMidEvent: parser?.hasPartialEvent ?? false)
        return .success(response)
    }
}
