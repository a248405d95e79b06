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
        // Each diagnostic's key is computed once, so that the sort compares integers:
        // a key computed per comparison hashes a file name O(n log n) times.
        var fileRank: [String: Int] = [mainFile: 0]
        var keys: [(file: Int, line: Int, column: Int, offset: Int)] = []
        keys.reserveCapacity(diagnostics.count)
        for (offset, d) in diagnostics.enumerated() {
            switch d.location {
            case .source(let l):
                let rank = fileRank[l.file] ?? fileRank.count
                if rank == fileRank.count { fileRank[l.file] = rank }
                keys.append((rank, l.line, l.column, offset))
            default:
                keys.append((Int.max, 0, 0, offset))
            }
        }
        // The offset makes every key distinct: the order is stable without a stable sort.
        keys.sort { ($0.file, $0.line, $0.column, $0.offset) < ($1.file, $1.line, $1.column, $1.offset) }
        return keys.map { diagnostics[$0.offset] }
    }
}
