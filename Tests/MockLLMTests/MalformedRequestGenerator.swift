import Foundation

/// A generator of malformed requests for the mock's HTTP robustness suite (issue #12.7): each case is
/// the bytes to send (optionally in slow pieces), the status the mock must answer (nil: it must
/// close or answer nothing, never hang) and the place its error must name (the `param` of the
/// provider's error JSON, or a substring of its message).
struct MalformedCase: CustomStringConvertible {
    /// Category and what is wrong.
    var name: String
    /// Pieces to send, with a pause (seconds) before each after the first.
    var pieces: [[UInt8]]
    var pause: Double = 0
    /// Half-close the sending side after the last piece (a client that sent everything it will).
    var halfClose = true
    /// The status expected; nil when the connection may just close.
    var status: Int?
    /// The `error.param` expected (nil: not checked); `"null"` means the param must be JSON null.
    var param: String?
    /// A substring the error message must contain (nil: not checked).
    var message: String?

    var description: String { name }
}

enum MalformedRequestGenerator {
    static func raw(_ text: String) -> [UInt8] { Array(text.utf8) }

    static func postBody(_ body: String, path: String = "/v1/chat/completions", headers: String = "") -> [UInt8] {
        raw("POST \(path) HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\(headers)Content-Length: \(body.utf8.count)\r\n\r\n\(body)")
    }

    /// Bad request lines, headers and framing: 400 naming the place (or a close).
    static var brokenHTTP: [MalformedCase] {
        [
            MalformedCase(name: "request line: no version", pieces: [raw("GET\r\n\r\n")], status: 400, param: "request-line"),
            MalformedCase(name: "request line: bad method", pieces: [raw("G(T / HTTP/1.1\r\n\r\n")], status: 400, param: "request-line"),
            MalformedCase(name: "request line: HTTP/9.9", pieces: [raw("GET / HTTP/9.9\r\n\r\n")], status: 400, param: "request-line"),
            MalformedCase(name: "request line: space in URL", pieces: [raw("GET /a b HTTP/1.1\r\n\r\n")], status: 400),
            MalformedCase(
                name: "header: no colon", pieces: [raw("GET /v1/models HTTP/1.1\r\nHost x\r\n\r\n")], status: 400, param: "header"),
            MalformedCase(
                name: "header: 200 KB value", pieces: [raw("GET / HTTP/1.1\r\nX: " + String(repeating: "b", count: 200_000) + "\r\n\r\n")],
                status: 400, param: "header"),
            MalformedCase(
                name: "header: content-length -5",
                pieces: [raw("POST /v1/chat/completions HTTP/1.1\r\nContent-Length: -5\r\n\r\n")], status: 400, param: "content-length"),
            MalformedCase(
                name: "header: content-length abc",
                pieces: [raw("POST /v1/chat/completions HTTP/1.1\r\nContent-Length: abc\r\n\r\n")], status: 400, param: "content-length"),
            MalformedCase(
                name: "header: two content-lengths",
                pieces: [raw("POST /v1/chat/completions HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 9\r\n\r\nabc")],
                status: 400, param: "content-length"),
            MalformedCase(
                name: "framing: bad chunk size",
                pieces: [raw("POST /v1/chat/completions HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n")],
                status: 400, param: "transfer-encoding"),
            MalformedCase(name: "garbage bytes", pieces: [[0, 1, 2, 0xFF, 13, 10, 13, 10]], status: 400),
            MalformedCase(
                name: "URL: 100 KB path", pieces: [raw("GET /" + String(repeating: "a", count: 100_000) + " HTTP/1.1\r\n\r\n")],
                status: 400),
        ]
    }

    /// Bodies that are not JSON, or JSON of the wrong shape.
    static var badBodies: [MalformedCase] {
        [
            MalformedCase(name: "body: not JSON", pieces: [postBody("{not json")], status: 400, param: "null", message: "JSON body"),
            MalformedCase(name: "body: truncated JSON", pieces: [postBody(#"{"model":"m","messages":[{"#)], status: 400, message: "JSON body"),
            MalformedCase(name: "body: array", pieces: [postBody("[1,2]")], status: 400, message: "JSON object"),
            MalformedCase(name: "body: empty", pieces: [postBody("")], status: 400, message: "JSON body"),
            MalformedCase(
                name: "body: nested 100 deep",
                pieces: [postBody(#"{"model":"m","messages":"# + String(repeating: "[", count: 100) + String(repeating: "]", count: 100) + "}")],
                status: 400, message: "JSON body"),
            MalformedCase(
                name: "body: over --max-body", pieces: [postBody(#"{"model":"m","pad":""# + String(repeating: "x", count: 70_000) + #""}"#)],
                status: 413, message: "limit of 65536 bytes"),
            MalformedCase(
                name: "body: content-length larger than sent (then idle)",
                pieces: [raw("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"mo")], halfClose: false,
                status: 408, message: "not completed in time"),
        ]
    }

    /// Every field of a valid body replaced by every JSON kind: the oracle says which kinds the
    /// field accepts; the others are 400 naming the field.
    static var wrongTypes: [MalformedCase] {
        let values: [(kind: String, json: String)] = [
            ("number", "5"), ("decimal", "1.5"), ("zero", "0"), ("huge number", "1e300"), ("string", #""abc""#),
            ("empty string", #""""#), ("bool", "true"), ("null", "null"), ("array", "[1]"), ("empty array", "[]"),
            ("object", #"{"a":1}"#), ("parts", #"[{"type":"text","text":"hi"}]"#),
            ("long string", "\"" + String(repeating: "z", count: 30_000) + "\""),
        ]
        let accepts: [String: Set<String>] = [
            "model": ["string", "long string"],
            "messages": [],
            "messages[0].role": ["string", "empty string", "long string"],
            "messages[0].content": ["string", "empty string", "parts", "long string", "empty array"],
            "stream": ["bool", "null"],
            "stream_options": ["object", "null"],
            "max_tokens": ["number", "null"],
            "max_completion_tokens": ["number", "null"],
        ]
        var cases: [MalformedCase] = []
        for (field, ok) in accepts.sorted(by: { $0.key < $1.key }) {
            for v in values {
                let body = Self.body(replacing: field, with: v.json)
                let valid = ok.contains(v.kind)
                cases.append(
                    MalformedCase(
                        name: "\(field) = \(v.kind)", pieces: [postBody(body)], status: valid ? 200 : 400,
                        param: valid ? nil : field))
            }
        }
        return cases
    }

    static func body(replacing field: String, with value: String) -> String {
        var model = #""m""#, role = #""user""#, content = #""hi""#, extra = ""
        var messages: String?
        switch field {
        case "model": model = value
        case "messages": messages = value
        case "messages[0].role": role = value
        case "messages[0].content": content = value
        default: extra = ",\"\(field)\":\(value)"
        }
        let m = messages ?? #"[{"role":\#(role),"content":\#(content)}]"#
        return #"{"model":\#(model),"messages":\#(m)\#(extra)}"#
    }

    /// A header block sent one byte every `pause` seconds (slowloris): 408 at the idle timeout.
    static var slowloris: MalformedCase {
        let head = "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        return MalformedCase(
            name: "slowloris header block", pieces: head.utf8.map { [$0] }, pause: 0.05, status: 408, message: "not completed in time")
    }

    /// Control API abuse.
    static var controlAbuse: [MalformedCase] {
        [
            MalformedCase(
                name: "control: PUT profile not YAML", pieces: [raw("PUT /_squall/profile HTTP/1.1\r\nContent-Length: 9\r\n\r\n{{{{{{{{{")],
                status: 400, message: "<request body>:"),
            MalformedCase(
                name: "control: PUT profile unknown key",
                pieces: [raw("PUT /_squall/profile HTTP/1.1\r\nContent-Length: 13\r\n\r\nfaults: 7\nx: 1")], status: 400,
                message: "<request body>:"),
            MalformedCase(name: "control: calls after=-1", pieces: [raw("GET /_squall/calls?after=-1 HTTP/1.1\r\n\r\n")], status: 400, param: "after"),
            MalformedCase(name: "control: calls limit=1e9", pieces: [raw("GET /_squall/calls?limit=1000000000 HTTP/1.1\r\n\r\n")], status: 400, param: "limit"),
            MalformedCase(name: "control: calls unknown parameter", pieces: [raw("GET /_squall/calls?x=1 HTTP/1.1\r\n\r\n")], status: 400, param: "x"),
            MalformedCase(name: "control: run not JSON", pieces: [postBody("{", path: "/_squall/run")], status: 400, param: "body"),
            MalformedCase(name: "control: run without id", pieces: [postBody("{}", path: "/_squall/run")], status: 400, param: "run"),
            MalformedCase(
                name: "control: run time_scale 0", pieces: [postBody(#"{"run":"abcdefgh","time_scale":0}"#, path: "/_squall/run")],
                status: 400, param: "time_scale"),
            MalformedCase(name: "control: GET reset", pieces: [raw("GET /_squall/reset HTTP/1.1\r\n\r\n")], status: 405, message: "accepts POST"),
            MalformedCase(name: "control: DELETE stats", pieces: [raw("DELETE /_squall/stats HTTP/1.1\r\n\r\n")], status: 405, message: "accepts GET"),
            MalformedCase(name: "unknown path", pieces: [raw("GET /_squall/nope HTTP/1.1\r\n\r\n")], status: 404, message: "/_squall/nope"),
            MalformedCase(
                name: "fault header garbage", pieces: [postBody(#"{"model":"m","messages":[{"role":"user","content":"x"}]}"#, headers: "x-squall-fault: stat=503\r\n")],
                status: 400, param: "x-squall-fault", message: "did you mean 'status'"),
        ]
    }

    /// Every case.
    static var all: [MalformedCase] { brokenHTTP + badBodies + wrongTypes + controlAbuse + [slowloris] }
}
