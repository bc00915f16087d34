/// An incremental parser for `text/event-stream` bodies (WHATWG HTML, "server-sent events"):
/// feed it bytes as they arrive, in chunks of any size, and it emits each event when its
/// terminating blank line arrives. Lines end with LF or CRLF; `:` lines are comments; one space
/// after the colon is dropped; `data:` lines of one event are joined with `\n`; an event with no
/// `data` line is not dispatched; `retry:` and unknown fields are ignored. A lone CR as line end
/// is not supported.
public struct SSEParser: Sendable {
    /// One parsed event, before it is stamped with its arrival time.
    public struct Fields: Sendable, Hashable {
        /// The joined `data:` lines.
        public var data: String
        /// The `event:` field, if any.
        public var event: String?
        /// The `id:` field, if any.
        public var id: String?
    }

    private var line: [UInt8] = []
    private var data: [UInt8] = []
    private var hasData = false
    private var event: String?
    private var id: String?
    private var sawField = false

    /// Creates an empty parser.
    public init() {}

    /// True when bytes of an unfinished event (or line) are buffered: the stream so far ended mid-event.
    public var hasPartialEvent: Bool { !line.isEmpty || sawField }

    /// Parses `bytes` and calls `emit` for each event completed by them, in order.
    public mutating func feed(_ bytes: UnsafeRawBufferPointer, _ emit: (Fields) -> Void) {
        var start = 0
        let count = bytes.count
        while start < count {
            var end = start
            while end < count && bytes[end] != 0x0A { end += 1 }
            if end == count {
                line.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[start..<end]))
                return
            }
            if line.isEmpty {
                processLine(UnsafeRawBufferPointer(rebasing: bytes[start..<end]), emit)
            } else {
                line.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[start..<end]))
                let buffered = line
                line.removeAll(keepingCapacity: true)
                buffered.withUnsafeBytes { processLine($0, emit) }
            }
            start = end + 1
        }
    }

    /// Parses `bytes` (convenience for tests and callers holding an array).
    public mutating func feed(_ bytes: [UInt8], _ emit: (Fields) -> Void) {
        bytes.withUnsafeBytes { feed($0, emit) }
    }

    private mutating func processLine(_ raw: UnsafeRawBufferPointer, _ emit: (Fields) -> Void) {
        var lineBytes = raw
        if let last = lineBytes.last, last == 0x0D {
            lineBytes = UnsafeRawBufferPointer(rebasing: lineBytes.dropLast())
        }
        if lineBytes.isEmpty {
            if hasData {
                emit(Fields(data: String(decoding: data, as: UTF8.self), event: event, id: id))
            }
            data.removeAll(keepingCapacity: true)
            hasData = false
            event = nil
            sawField = false
            return
        }
        if lineBytes[0] == 0x3A { return }  // ':' comment
        sawField = true
        var colon = 0
        while colon < lineBytes.count && lineBytes[colon] != 0x3A { colon += 1 }
        let name = UnsafeRawBufferPointer(rebasing: lineBytes[0..<colon])
        var valueStart = Swift.min(colon + 1, lineBytes.count)
        if valueStart < lineBytes.count && lineBytes[valueStart] == 0x20 { valueStart += 1 }
        let value = UnsafeRawBufferPointer(rebasing: lineBytes[valueStart..<lineBytes.count])
        if name.elementsEqual("data".utf8) {
            if hasData { data.append(0x0A) }
            data.append(contentsOf: value)
            hasData = true
        } else if name.elementsEqual("event".utf8) {
            event = String(decoding: value, as: UTF8.self)
        } else if name.elementsEqual("id".utf8) {
            if !value.contains(0) { id = String(decoding: value, as: UTF8.self) }
        }
    }
}
