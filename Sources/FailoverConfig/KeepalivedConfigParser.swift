/// The keepalived.conf front end: text → validated `Configuration` plus every
/// diagnostic (lexing, syntax, keywords, values, cross-section checks), in source order.
/// Pure: `include` is served by the `ConfigSource` given.
public struct KeepalivedConfigParser: Sendable {
    /// The outcome of a parse: what runs, and everything that was wrong.
    public struct Result: Sendable {
        /// The configuration as keepalived would run it after its adjustments.
        public var configuration: Configuration
        /// All problems, in source order (whole-configuration ones last).
        public var diagnostics: [Diagnostic]

        /// `check-config`'s exit status for these diagnostics.
        public var status: CheckConfigStatus { CheckConfigStatus(diagnostics) }
    }

    /// Serves `include`.
    public var source: any ConfigSource
    /// keepalived's configuration id, for `@id` lines (see `SyntaxParser.configID`).
    public var configID: String?

    public init(source: any ConfigSource = InMemoryConfigSource([:]), configID: String? = nil) {
        self.source = source
        self.configID = configID
    }

    /// Parses `text`, the contents of `file`.
    public func parse(_ text: String, file: String) -> Result {
        let (statements, syntaxProblems) = SyntaxParser(source: source, configID: configID).parse(text, file: file)
        var builder = ConfigurationBuilder()
        let configuration = builder.build(statements)
        return Result(configuration: configuration,
                      diagnostics: Self.ordered(syntaxProblems + builder.diagnostics, mainFile: file))
    }

    /// Stable order: by file (the main file first, includes in first-mention order),
    /// then line and column; diagnostics without a place last.
    static func ordered(_ diagnostics: [Diagnostic], mainFile: String) -> [Diagnostic] {
        var fileRank: [String: Int] = [mainFile: 0]
        for d in diagnostics {
            if case .source(let l) = d.location, fileRank[l.file] == nil { fileRank[l.file] = fileRank.count }
        }
        func key(_ d: Diagnostic) -> (Int, Int, Int) {
            switch d.location {
            case .source(let l): (fileRank[l.file]!, l.line, l.column)
            default: (Int.max, 0, 0)
            }
        }
        return diagnostics.enumerated()
            .sorted { a, b in
                let ka = key(a.element), kb = key(b.element)
                return ka != kb ? ka < kb : a.offset < b.offset
            }
            .map(\.element)
    }
}
