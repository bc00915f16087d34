/// JSON string escaping for hand-built JSON on hot paths (no Foundation): the mock's responses,
/// the load generator's requests.
public enum JSONText {
    /// Appends `value` as a quoted JSON string.
    public static func appendString(_ value: String, to out: inout String) {
        out += "\""
        var needs = false
        for b in value.utf8 where b < 0x20 || b == 0x22 || b == 0x5C { needs = true; break }
        if !needs {
            out += value
        } else {
            for scalar in value.unicodeScalars {
                switch scalar {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case "\n": out += "\\n"
                case "\r": out += "\\r"
                case "\t": out += "\\t"
                default:
                    if scalar.value < 0x20 {
                        let hex = String(scalar.value, radix: 16)
                        out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                    } else {
                        out.unicodeScalars.append(scalar)
                    }
                }
            }
        }
        out += "\""
    }

    /// `value` as a quoted JSON string.
    public static func quoted(_ value: String) -> String {
        var s = ""
        appendString(value, to: &s)
        return s
    }
}
