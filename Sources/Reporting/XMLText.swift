/// Escaping for XML 1.0 text and attribute values (JUnit XML, SVG).
public enum XMLText {
    /// Escapes `&`, `<`, `>`, `"` and `'`; drops characters XML 1.0 forbids (C0 controls other
    /// than tab, LF and CR, and U+FFFE/U+FFFF); escapes tab/LF/CR as character references so they
    /// survive in attribute values.
    public static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for scalar in s.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\t": out += "&#9;"
            case "\n": out += "&#10;"
            case "\r": out += "&#13;"
            default:
                if scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF { continue }
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// Escapes text content, keeping line breaks as real newlines (for `<failure>` bodies).
    public static func escapeContent(_ s: String) -> String {
        escape(s).replacingOccurrences(of: "&#10;", with: "\n").replacingOccurrences(of: "&#9;", with: "\t")
    }
}
