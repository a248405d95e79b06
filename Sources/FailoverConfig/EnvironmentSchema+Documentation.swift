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
}

extension String {
    fileprivate var replacingPipes: String {
        split(separator: "|", omittingEmptySubsequences: false).joined(separator: "\\|")
    }
}
