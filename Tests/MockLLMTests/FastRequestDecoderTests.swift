@testable import MockLLM
import NIOCore
import NIOEmbedded
import NIOHTTP1
import Testing

/// The hand-written request decoder: the same parts as NIO's `HTTPRequestDecoder` for the common
/// request however the bytes are split, and NIO's own answer for everything unusual.
@Suite struct FastRequestDecoderTests {
    /// A decoded part, with bodies compared as bytes (the two decoders may cut them differently).
    enum Part: Equatable, CustomStringConvertible {
        case head(method: String, uri: String, minor: Int, headers: [String], keepAlive: Bool)
        case body([UInt8])
        case end
        case error(String)

        var description: String {
            switch self {
            case .head(let m, let u, let v, let h, let k): "head(\(m) \(u) 1.\(v) \(h) keepAlive=\(k))"
            case .body(let b): "body(\(String(decoding: b, as: UTF8.self)))"
            case .end: "end"
            case .error(let e): "error(\(e))"
            }
        }
    }

    /// What came out of a decoder, and whether the fast decoder handed the connection to NIO.
    struct Decoded {
        var parts: [Part]
        var handedToNIO: Bool
    }

    static let chat = Array(
        ("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nContent-Type: application/json\r\n"
            + "Authorization: Bearer bench\r\nContent-Length: 48\r\n\r\n"
            + #"{"model":"m","messages":[{"role":"user","c":1}]}"#).utf8)
    static let get = Array("GET /v1/models?x=1 HTTP/1.1\r\nHost: a\r\n\r\n".utf8)

    /// Feeds `chunks` (one read each) through `FastRequestDecoder`.
    static func fast(_ chunks: [[UInt8]]) throws -> Decoded {
        let decoder = FastRequestDecoder(progress: RequestProgress())
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(decoder)
        let parts = try feed(channel, chunks)
        return Decoded(parts: parts, handedToNIO: decoder.handedToNIO)
    }

    /// Feeds `bytes` in one read through NIO's decoder (as the mock used it).
    static func nio(_ bytes: [UInt8]) throws -> [Part] {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(
            ByteToMessageHandler(HTTPRequestDecoder(leftOverBytesStrategy: .dropBytes)))
        return try feed(channel, [bytes])
    }

    private static func feed(_ channel: EmbeddedChannel, _ chunks: [[UInt8]]) throws -> [Part] {
        var parts: [Part] = []
        for chunk in chunks {
            var failure: (any Error)?
            do { try channel.writeInbound(channel.allocator.buffer(bytes: chunk)) } catch { failure = error }
            while let part = try channel.readInbound(as: HTTPServerRequestPart.self) {
                switch part {
                case .head(let h):
                    parts.append(
                        .head(
                            method: h.method.rawValue, uri: h.uri, minor: h.version.minor,
                            headers: h.headers.map { "\($0.name)=\($0.value)" }, keepAlive: h.isKeepAlive))
                case .body(let b):
                    if case .body(let earlier) = parts.last {
                        parts[parts.count - 1] = .body(earlier + Array(b.readableBytesView))
                    } else {
                        parts.append(.body(Array(b.readableBytesView)))
                    }
                case .end: parts.append(.end)
                }
            }
            if let failure {
                parts.append(.error("\(failure)"))
                break
            }
        }
        _ = try? channel.finish()
        return parts
    }

    @Test func theCommonRequestIsDecodedWithoutNIOAndAsNIODecodesIt() throws {
        for request in [Self.chat, Self.get] {
            let fast = try Self.fast([request])
            #expect(!fast.handedToNIO)
            #expect(fast.parts == (try Self.nio(request)))
            #expect(fast.parts.last == .end)
        }
    }

    @Test func aRequestSplitAtEveryByteBoundaryGivesTheSameParts() throws {
        let whole = try Self.nio(Self.chat)
        for cut in 1..<Self.chat.count {
            let split = try Self.fast([Array(Self.chat[..<cut]), Array(Self.chat[cut...])])
            #expect(split.parts == whole, "split at byte \(cut)")
            #expect(!split.handedToNIO, "split at byte \(cut)")
        }
        let byByte = try Self.fast(Self.chat.map { [$0] })
        #expect(byByte.parts == whole)
        #expect(!byByte.handedToNIO)
    }

    @Test func pipelinedRequestsInOneReadComeOutInOrder() throws {
        let bytes = Self.chat + Self.get + Self.chat
        let fast = try Self.fast([bytes])
        #expect(!fast.handedToNIO)
        #expect(fast.parts == (try Self.nio(bytes)))
        #expect(fast.parts.filter { $0 == .end }.count == 3)
        // Split across the boundary between two requests, too.
        for cut in stride(from: Self.chat.count - 3, through: Self.chat.count + 3, by: 1) {
            #expect(try Self.fast([Array(bytes[..<cut]), Array(bytes[cut...])]).parts == fast.parts, "cut \(cut)")
        }
    }

    @Test func http10AndConnectionHeadersKeepNIOsKeepAliveAnswer() throws {
        for head in [
            "GET /v1/models HTTP/1.0\r\n\r\n",
            "GET /v1/models HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
            "GET /v1/models HTTP/1.1\r\nconnection: close\r\n\r\n",
            "DELETE /x HTTP/1.1\r\nX-Empty:\r\nX-Tab:\tv\r\n\r\n",
        ] {
            let fast = try Self.fast([Array(head.utf8)])
            #expect(!fast.handedToNIO, "\(head)")
            #expect(fast.parts == (try Self.nio(Array(head.utf8))), "\(head)")
        }
    }

    /// Unusual requests go to NIO, whose parts (or error) they get.
    @Test(arguments: [
        "POST /v1/chat/completions HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
        "POST /v1/chat/completions HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n{}",
        "GET / HTTP/1.1\r\nUpgrade: websocket\r\nConnection: upgrade\r\n\r\n",
        "GET / HTTP/1.1\r\nX-A: 1\r\n folded\r\n\r\n",
        "GET / HTTP/1.1\nHost: a\n\n",
        "GET / HTTP/1.1\r\nHost: a\n\r\n",
        "get / HTTP/1.1\r\n\r\n",
        "PROPFIND / HTTP/1.1\r\n\r\n",
        "GET http://example.com/ HTTP/1.1\r\n\r\n",
        "GET /a|b HTTP/1.1\r\n\r\n",
        "GET /a#frag HTTP/1.1\r\n\r\n",
        "GET / HTTP/2.0\r\n\r\n",
        "GET / HTTP/1.1 \r\n\r\n",
        "GET  / HTTP/1.1\r\n\r\n",
        "GET / HTTP/1.1\r\nHost : a\r\n\r\n",
        "GET / HTTP/1.1\r\n: a\r\n\r\n",
        "GET / HTTP/1.1\r\nX-A: a \r\n\r\n",
        "GET / HTTP/1.1\r\nX-A: caf\u{E9}\r\n\r\n",
        "GET / HTTP/1.1\r\nX-A: a\u{0}b\r\n\r\n",
        "POST / HTTP/1.1\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\n{}",
        "POST / HTTP/1.1\r\nContent-Length: +2\r\n\r\n{}",
        "POST / HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n\r\n{}",
        "\r\nGET / HTTP/1.1\r\n\r\n",
    ])
    func unusualRequestsGetNIOsAnswer(_ text: String) throws {
        let bytes = Array(text.utf8)
        let fast = try Self.fast([bytes])
        #expect(fast.handedToNIO)
        #expect(fast.parts == (try Self.nio(bytes)))
        // The same when the bytes arrive one at a time.
        let byByte = try Self.fast(bytes.map { [$0] })
        #expect(byByte.handedToNIO)
        #expect(byByte.parts == (try Self.nio(bytes)))
    }

    @Test func anUnusualRequestAfterACommonOneIsHandedOverAtItsFirstByte() throws {
        let chunked = Array("POST /v1/chat/completions HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n".utf8)
        let bytes = Self.chat + chunked + Self.get
        let fast = try Self.fast([bytes])
        #expect(fast.handedToNIO)
        #expect(fast.parts == (try Self.nio(bytes)))
        #expect(fast.parts.filter { $0 == .end }.count == 3)
    }

    @Test func aBrokenRequestLineIsHandedOverBeforeItsLineEnds() throws {
        // NIO rejects "XYZ" at once; the fast decoder must not wait for the line (or a timeout).
        let fast = try Self.fast([Array("XYZ /".utf8)])
        #expect(fast.handedToNIO)
        #expect(fast.parts == (try Self.nio(Array("XYZ /".utf8))))
        let control = try Self.fast([Array("GET /\u{1}".utf8)])
        #expect(control.handedToNIO)
        // A head still arriving, and well formed so far, waits for more.
        let partial = try Self.fast([Array("POST /v1/chat/completions HTTP/1.1\r\nHost: a\r".utf8)])
        #expect(!partial.handedToNIO)
        #expect(partial.parts.isEmpty)
    }

    @Test func headsOverTheLimitAreNIOs() throws {
        // Over 16 KiB: NIO decodes it (its own limit is 80 KiB) ...
        let big = Array("GET / HTTP/1.1\r\nX-Big: \(String(repeating: "a", count: 20_000))\r\n\r\n".utf8)
        let fast = try Self.fast([big])
        #expect(fast.handedToNIO)
        #expect(fast.parts == (try Self.nio(big)))
        #expect(fast.parts.last == .end)
        // ... also when it arrives without its end (no waiting for a blank line that never comes).
        let open = try Self.fast([Array(big[..<(RequestHeadParser.maxHeadBytes + 10)])])
        #expect(open.handedToNIO)
        // Over 80 KiB: NIO's error.
        let huge = Array("GET / HTTP/1.1\r\nX-Big: \(String(repeating: "a", count: 90_000))\r\n\r\n".utf8)
        let refused = try Self.fast([huge])
        #expect(refused.parts == (try Self.nio(huge)))
        #expect(refused.parts.contains { if case .error = $0 { true } else { false } })
    }

    @Test func everyReadMarksTheRequestAsStarted() throws {
        let progress = RequestProgress()
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(FastRequestDecoder(progress: progress))
        try channel.writeInbound(channel.allocator.buffer(bytes: Array("GE".utf8)))
        #expect(progress.pending)
        _ = try? channel.finish()
    }
}
