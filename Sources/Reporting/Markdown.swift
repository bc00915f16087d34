/// Small helpers for GitHub-flavoured Markdown.
public enum Markdown {
    /// Escapes a table cell: `|` and backslashes are escaped, line breaks become `<br>`.
    public static func cell(_ s: String) -> String {
        s.replacingOccurrences(of: "\\", with: "\\\\")
            .replacingOccurrences(of: "|", with: "\\|")
            .replacingOccurrences(of: "\r\n", with: "<br>")
            .replacingOccurrences(of: "\n", with: "<br>")
    }

    /// Column alignment.
    public enum Align: Sendable {
        /// `---`
        case left
        /// `--:`
        case right
        /// `:-:`
        case center
    }

    /// A table with a header row; `align` defaults to left for every column.
    public static func table(_ header: [String], _ rows: [[String]], align: [Align]? = nil) -> String {
        var out = "| " + header.map(cell).joined(separator: " | ") + " |\n"
        let aligns = align ?? Array(repeating: .left, count: header.count)
        out += "|" + aligns.map { a -> String in
            switch a {
            case .left: return " --- "
            case .right: return " ---: "
            case .center: return " :---: "
            }
        }.joined(separator: "|") + "|\n"
        for row in rows {
            out += "| " + row.map(cell).joined(separator: " | ") + " |\n"
        }
        return out
    }

    /// Inline code, using a fence long enough for backticks inside `s`.
    public static func code(_ s: String) -> String {
        var fence = "`"
        while s.contains(fence) { fence += "`" }
        let pad = s.hasPrefix("`") || s.hasSuffix("`") ? " " : ""
        return fence + pad + s + pad + fence
    }
}
