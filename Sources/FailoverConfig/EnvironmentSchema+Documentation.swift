extension EnvironmentSchema {
    /// The schema as a Markdown table (docs/configuration.md and `render --env-help`).
    public static func markdownTable() -> String {
        var out = "| variable | type | default | accepted | meaning |\n|---|---|---|---|---|\n"
        for v in variables {
            let def = v.defaultValue.map { "`\($0)`" } ?? (v.isRequired ? "(required)" : "—")
            out += "| `\(v.name)` | \(v.type) | \(def) | \(v.validation) | \(v.doc.replacingPipes) |\n"
        }
        return out
    }
}

extension String {
    fileprivate var replacingPipes: String {
        split(separator: "|", omittingEmptySubsequences: false).joined(separator: "\\|")
    }
}
