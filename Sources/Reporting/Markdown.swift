/// Small helpers for GitHub-flavoured Markdown.
public enum Markdown {
    /// Makes a table cell of Markdown `s`: `|` is escaped (GFM applies this inside code spans
    /// too), line breaks become `<br>`.
    public static func cell(_ s: String) -> String {
        s.replacingOccurrences(of: "|", with: "\\|")
            .replacingOccurrences(of: "\r\n", with: "<br>")
            .replacingOccurrences(of: "\n", with: "<br>")
    }

    /// Escapes free text (scenario descriptions, expectation text, causes) so it prints literally:
    /// backslash, backtick, `*`, `[` and `]` always get a backslash; `<` only where it would open
    /// an HTML tag or autolink (before a letter, `/`, `!` or `?`) and `&` only where it would start
    /// an entity (before a letter or `#`), so `<= 15s` stays readable and `<b>` is not HTML.
    public static func text(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        let chars = Array(s)
        for (i, c) in chars.enumerated() {
            let next = i + 1 < chars.count ? chars[i + 1] : " "
            switch c {
            case "\\", "`", "*", "[", "]": out.append("\\")
            case "<" where next.isLetter || "/!?".contains(next): out.append("\\")
            case "&" where next.isLetter || next == "#": out.append("\\")
            default: break
            }
            out.append(c)
        }
        return out
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
