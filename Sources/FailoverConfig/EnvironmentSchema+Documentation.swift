extension EnvironmentSchema {
    /// The schema as a Markdown table (docs/configuration.md and `render --env-help`);
    /// a `|` inside a cell is escaped so every row keeps its five columns.
    public static func markdownTable() -> String {
        var out = "| variable | type | default | accepted | meaning |\n|---|---|---|---|---|\n"
        for v in variables {
            let def = v.defaultValue.map { "`\($0)`" } ?? (v.isRequired ? "(required)" : "—")
            let cells = ["`\(v.name)`", v.type, def, v.validation, v.doc].map(\.replacingPipes)
            out += "| " + cells.joined(separator: " | ") + " |\n"
        }
        return out
    }

    /// The schema as a listing for a terminal (`render --env-help`): one block per
    /// variable, its type, default and accepted values on labelled lines and its
    /// meaning wrapped to `width` columns. No cell borders to break.
    public static func plainListing(width: Int = 80) -> String {
        var blocks: [String] = []
        for v in variables {
            let def = v.defaultValue ?? (v.isRequired ? "(required)" : "(none)")
            var lines = ["\(v.name)"]
            lines += wrapped("type: \(v.type)", width: width)
            lines += wrapped("default: \(def)", width: width)
            lines += wrapped("accepted: \(v.validation)", width: width)
            lines += wrapped(String(v.doc.filter { $0 != "`" }), width: width)
            blocks.append(lines.joined(separator: "\n"))
        }
        return blocks.joined(separator: "\n\n") + "\n"
    }

    /// `text` split at spaces into lines of at most `width` columns, indented by
    /// four; a word longer than a line stands alone.
    private static func wrapped(_ text: String, width: Int) -> [String] {
        let indent = "    "
        var lines: [String] = []
        var line = ""
        for word in text.split(separator: " ", omittingEmptySubsequences: true) {
            if !line.isEmpty, indent.count + line.count + 1 + word.count > width {
                lines.append(indent + line)
                line = ""
            }
            line += (line.isEmpty ? "" : " ") + word
        }
        if !line.isEmpty { lines.append(indent + line) }
        return lines
    }
}

extension String {
    fileprivate var replacingPipes: String {
        split(separator: "|", omittingEmptySubsequences: false).joined(separator: "\\|")
    }
}
