/// One keepalived.conf statement: a keyword, its arguments on the same line and an
/// optional `{ … }` block of nested statements. The syntax tree knows nothing about
/// which keywords exist; `ConfigurationBuilder` gives them meaning.
public struct Statement: Hashable, Sendable {
    /// The first word of the statement.
    public var keyword: Token
    /// The words after the keyword (up to a `{`, a `}` or the end of the line).
    public var arguments: [Token]
    /// The nested statements when the keyword opened a block.
    public var block: [Statement]?

    public init(keyword: Token, arguments: [Token] = [], block: [Statement]? = nil) {
        self.keyword = keyword
        self.arguments = arguments
        self.block = block
    }

    /// The keyword text.
    public var name: String { keyword.text }
    /// Where the statement starts.
    public var location: SourceLocation { keyword.location }
}

/// A file brought in by `include`.
public struct IncludedFile: Hashable, Sendable {
    /// The path as found (used in diagnostics).
    public var name: String
    /// The file's text.
    public var text: String

    public init(name: String, text: String) {
        self.name = name
        self.text = text
    }
}

/// What one `include` brought in, and what was wrong with it.
public struct IncludeResolution: Hashable, Sendable {
    /// The files, in glob order.
    public var files: [IncludedFile]
    /// Reported as warnings at the include (keepalived skips and goes on).
    public var warnings: [String]
    /// Reported as errors at the include: the configuration is not what was written.
    public var errors: [String]

    public init(files: [IncludedFile] = [], warnings: [String] = [], errors: [String] = []) {
        self.files = files
        self.warnings = warnings
        self.errors = errors
    }
}

/// Resolves `include` patterns. The parser stays pure by asking this for text;
/// `FileConfigSource` reads the file system, `InMemoryConfigSource` serves tests.
public protocol ConfigSource: Sendable {
    /// The files `pattern` names, relative to the directory of `includingFile` unless
    /// absolute, in glob order. Together they may hold at most `byteBudget` bytes of
    /// text: a file that would exceed it is not read and is reported as an error.
    func resolveInclude(_ pattern: String, from includingFile: String, byteBudget: Int) -> IncludeResolution
}

extension ConfigSource {
    /// `pattern` made absolute against the directory of `includingFile`.
    public func resolvedPattern(_ pattern: String, from includingFile: String) -> String {
        if pattern.hasPrefix("/") { return pattern }
        guard let slash = includingFile.lastIndex(of: "/") else { return pattern }
        return String(includingFile[...slash]) + pattern
    }
}
