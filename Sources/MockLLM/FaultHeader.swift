import YAMLConfig

/// The per-request override header `x-squall-fault` (honoured only when the server allows it):
/// comma- or semicolon-separated `key=value` pairs with the keys of a fault rule, e.g.
/// `status=503`, `status=429, retry_after_ms=200`, `drop=truncate; after_bytes=10`, `latency=2s`.
/// The rule fires on that request regardless of the profile's rules and rate limits.
public enum FaultHeader {
    /// The header name.
    public static let name = "x-squall-fault"

    /// Parses the header value into a rule (same validation as a profile rule).
    public static func parse(_ value: String) throws(ConfigError) -> FaultRule {
        var items: [String] = []
        for part in value.split(whereSeparator: { $0 == "," || $0 == ";" }) {
            let kv = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard kv.count == 2, !kv[0].isEmpty, !kv[1].isEmpty else {
                throw ConfigError(
                    file: name, line: 0, column: 0, path: "",
                    message: "expected key=value pairs such as 'status=503' or 'drop=reset', got '\(part)'")
            }
            // Quote values so YAML does not reinterpret them; keys are checked by the rule decoder.
            let v = kv[1].replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            items.append("\"\(kv[0])\": \"\(v)\"")
        }
        guard !items.isEmpty else {
            throw ConfigError(file: name, line: 0, column: 0, path: "", message: "empty header; expected e.g. 'status=503'")
        }
        var rule = try FaultRule.decode(try ConfigNode.parse("{" + items.joined(separator: ", ") + "}", file: name))
        rule.rate = 1
        return rule
    }
}

import Foundation
