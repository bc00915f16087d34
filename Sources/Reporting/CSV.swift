/// RFC 4180 CSV: fields containing a comma, a double quote, CR or LF are quoted, with quotes
/// doubled; rows end with `\n`.
public enum CSV {
    /// One field, quoted when it needs to be.
    public static func field(_ text: String) -> String {
        var bytes: [UInt8] = []
        ByteText.csvField(text, into: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// One row (fields joined by commas, terminated by `\n`).
    public static func row(_ fields: [String]) -> String {
        var bytes: [UInt8] = []
        for (i, f) in fields.enumerated() {
            if i > 0 { bytes.append(UInt8(ascii: ",")) }
            ByteText.csvField(f, into: &bytes)
        }
        bytes.append(10)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Parses CSV text back into rows of fields (for tests and tools reading Squall's files).
    public static func parse(_ text: String) -> [[String]] {
        var rows: [[String]] = []
        var row: [String] = []
        var field = ""
        var inQuotes = false
        var chars = text.makeIterator()
        var pending: Character? = nil
        while let c = pending ?? chars.next() {
            pending = nil
            if inQuotes {
                if c == "\"" {
                    if let next = chars.next() {
                        if next == "\"" { field.append("\"") } else { inQuotes = false; pending = next }
                    } else { inQuotes = false }
                } else { field.append(c) }
                continue
            }
            switch c {
            case "\"": inQuotes = true
            case ",": row.append(field); field = ""
            case "\n", "\r\n":
                row.append(field); field = ""
                rows.append(row); row = []
            default: field.append(c)
            }
        }
        if !field.isEmpty || !row.isEmpty {
            row.append(field)
            rows.append(row)
        }
        return rows
    }
}
