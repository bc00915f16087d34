import Foundation
import Reliability

/// Parses a trace of task start times from CSV text for `ArrivalShape.replay` (LoadGen reads the file).
public enum ArrivalReplay {
    /// Accepted forms of the first column.
    public static let validForms =
        "one timestamp per line in the first column: seconds (e.g. 12.5 or Unix epoch 1700000000.25) or ISO 8601 (2026-01-01T09:00:00Z); a non-numeric first line is a header"

    /// Parses CSV text: the first column of each line is a timestamp; times become offsets from the
    /// earliest one and are sorted. A non-numeric first line is taken as a header; blank lines are skipped.
    public static func parse(_ text: String, source: String = "replay") throws(ArrivalError) -> [Duration] {
        var seconds: [Double] = []
        let iso = ISO8601DateFormatter()
        let isoFractional = ISO8601DateFormatter()
        isoFractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        var lineNumber = 0
        for line in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            lineNumber += 1
            let field = line.split(separator: ",", maxSplits: 1, omittingEmptySubsequences: false).first
                .map { $0.trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\"")) } ?? ""
            if field.isEmpty { continue }
            if let v = Double(field), v.isFinite {
                seconds.append(v)
            } else if let d = iso.date(from: field) ?? isoFractional.date(from: field) {
                seconds.append(d.timeIntervalSince1970)
            } else if seconds.isEmpty && lineNumber == 1 {
                continue  // header
            } else {
                throw ArrivalError("\(source):\(lineNumber): '\(field)' is not a timestamp; expected \(validForms)")
            }
        }
        guard let first = seconds.min() else { throw ArrivalError("\(source): no timestamps found; expected \(validForms)") }
        return seconds.sorted().map { .fromSeconds($0 - first) }
    }
}
