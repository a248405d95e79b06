/// Builds the statement tree of a keepalived.conf file: expands `include` (at any
/// depth, textually, as keepalived does), applies conditional lines (`@id …` only
/// when `id` is the configuration id, `@^id …` only when it is not), and matches braces. A `{` may follow its
/// keyword on the same line or open the next line; `}` may close a block mid-line.
/// Every problem becomes a diagnostic; parsing always produces a tree.
public struct SyntaxParser: Sendable {
    /// Deeper include chains are refused (a cycle is reported before this).
    public static let maximumIncludeDepth = 32
    /// More included files in all are refused: two includes of itself under
    /// different spellings would otherwise expand 2^32 times before the depth limit.
    public static let maximumIncludedFiles = 1024
    /// Deeper nesting of blocks is refused (keepalived's grammar needs four levels);
    /// without a limit a hostile file could exhaust the stack.
    public static let maximumBlockDepth = 64
    /// The most bytes of text read in all, the main file and every include together:
    /// a few files that include each other under many names (symbolic links, globs)
    /// would otherwise multiply a small file into gigabytes before any count limit.
    public static let maximumTotalBytes = 16 << 20
    /// The most words and braces in all: each costs about a hundred bytes once lexed,
    /// so 16 MiB of one-letter words would take over a gigabyte. Large generated
    /// configurations (thousands of VIPs) have tens of thousands.
    public static let maximumTotalTokens = 1_000_000

    /// Serves `include`.
    public var source: any ConfigSource
    /// keepalived's configuration id (`-i`; by default the host name up to its first
    /// dot): `@ID …` lines apply only when it equals ID, `@^ID …` lines only when it
    /// does not. nil: no id, so every `@ID` line is dropped and every `@^ID` line kept.
    public var configID: String?

    public init(source: any ConfigSource = InMemoryConfigSource([:]), configID: String? = nil) {
        self.source = source
        self.configID = configID
    }

    /// Parses `text` (the contents of `file`).
    public func parse(_ text: String, file: String) -> (statements: [Statement], diagnostics: [Diagnostic]) {
        var diagnostics: [Diagnostic] = []
        var lines: [Lexer.Line] = []
        var budget = Budget(files: 0, bytes: text.utf8.count, tokens: 0, tokenLimitReached: false)
        if budget.bytes > Self.maximumTotalBytes {
            diagnostics.append(Diagnostic(.cannotRun, .source(SourceLocation(file: file, line: 0, column: 0)),
                "the configuration is \(budget.bytes) bytes; at most \(Self.maximumTotalBytes) bytes are read in all"))
            return ([], diagnostics)
        }
        expand(text, file: file, chain: [Self.normalized(file)], budget: &budget, into: &lines, diagnostics: &diagnostics)
        let statements = buildTree(lines, diagnostics: &diagnostics)
        return (statements, diagnostics)
    }

    /// What the expansion has used so far.
    private struct Budget {
        var files: Int
        var bytes: Int
        var tokens: Int
        /// The lexer stopped at `maximumTotalTokens` (and said so): nothing more is read.
        var tokenLimitReached: Bool
    }

    private func expand(_ text: String, file: String, chain: [String], budget: inout Budget,
                        into lines: inout [Lexer.Line], diagnostics: inout [Diagnostic]) {
        let limit = Lexer.TokenLimit(remaining: Self.maximumTotalTokens - budget.tokens, total: Self.maximumTotalTokens)
        let (fileLines, lexProblems) = Lexer().tokenize(text, file: file, limit: limit)
        diagnostics += lexProblems
        budget.tokens += fileLines.reduce(0) { $0 + $1.tokens.count }
        if lexProblems.contains(where: { $0.category == .cannotRun }) { budget.tokenLimitReached = true }
        for var line in fileLines {
            let first = line.tokens[0]
            if first.kind == .word, !first.isQuoted, first.text.hasPrefix("@") {
                // keepalived's conditional configuration.
                let negated = first.text.hasPrefix("@^")
                let id = first.text.dropFirst(negated ? 2 : 1)
                let matches = configID.map { $0 == id } ?? false
                guard matches != negated else { continue }
                line.tokens.removeFirst()
                if line.tokens.isEmpty { continue }
            }
            let head = line.tokens[0]
            if head.kind == .word, !head.isQuoted, head.text.hasPrefix("$") {
                diagnostics.append(Diagnostic(.adjusted, .source(head.location),
                    "parameter definitions and substitution ('\(head.text)') are not supported; line ignored"))
                continue
            }
            if head.kind == .word, !head.isQuoted, head.text == "include" {
                let words = line.tokens.dropFirst()
                guard let pattern = words.first, pattern.kind == .word, words.count == 1 else {
                    diagnostics.append(Diagnostic(.adjusted, .source(head.location),
                        "'include' expects exactly one file name or pattern"))
                    continue
                }
                if budget.tokenLimitReached { continue }
                guard chain.count < Self.maximumIncludeDepth else {
                    diagnostics.append(Diagnostic(.cannotRun, .source(head.location),
                        "include nesting deeper than \(Self.maximumIncludeDepth) levels"))
                    continue
                }
                let resolution = source.resolveInclude(pattern.text, from: file,
                                                       byteBudget: Self.maximumTotalBytes - budget.bytes)
                for problem in resolution.warnings {
                    diagnostics.append(Diagnostic(.adjusted, .source(pattern.location), problem))
                }
                for problem in resolution.errors {
                    diagnostics.append(Diagnostic(.cannotRun, .source(pattern.location), problem))
                }
                for included in resolution.files where !budget.tokenLimitReached {
                    let name = Self.normalized(included.name)
                    if chain.contains(name) {
                        diagnostics.append(Diagnostic(.cannotRun, .source(pattern.location),
                            "include cycle: '\(included.name)' includes itself"))
                        continue
                    }
                    guard budget.files < Self.maximumIncludedFiles else {
                        diagnostics.append(Diagnostic(.cannotRun, .source(pattern.location),
                            "more than \(Self.maximumIncludedFiles) included files in all"))
                        return
                    }
                    guard budget.bytes + included.text.utf8.count <= Self.maximumTotalBytes else {
                        diagnostics.append(Diagnostic(.cannotRun, .source(pattern.location),
                            "included '\(included.name)' is not read: with it the configuration and its includes "
                            + "would exceed \(Self.maximumTotalBytes) bytes in all"))
                        return
                    }
                    budget.files += 1
                    budget.bytes += included.text.utf8.count
                    expand(included.text, file: included.name, chain: chain + [name], budget: &budget,
                           into: &lines, diagnostics: &diagnostics)
                }
                continue
            }
            lines.append(line)
        }
    }

    /// `path` without `.` and empty segments and with `..` applied, so that one file
    /// spelled two ways is recognised in an include cycle.
    static func normalized(_ path: String) -> String {
        var parts: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            switch part {
            case ".": continue
            case "..": if let last = parts.last, last != ".." { parts.removeLast() } else if !path.hasPrefix("/") { parts.append(part) }
            default: parts.append(part)
            }
        }
        return (path.hasPrefix("/") ? "/" : "") + parts.joined(separator: "/")
    }

    private struct Frame {
        var opener: Statement?
        var openBrace: Token?
        var statements: [Statement] = []
    }

    private func buildTree(_ lines: [Lexer.Line], diagnostics: inout [Diagnostic]) -> [Statement] {
        var stack: [Frame] = [Frame()]
        // Inside a block nested too deep: its braces are only counted, its words dropped.
        var ignoredDepth = 0
        for line in lines {
            var current: Statement?
            var currentIsOnThisLine = false
            for token in line.tokens {
                if ignoredDepth > 0 {
                    if token.kind == .openBrace { ignoredDepth += 1 }
                    if token.kind == .closeBrace { ignoredDepth -= 1 }
                    continue
                }
                if token.kind == .openBrace, stack.count > Self.maximumBlockDepth {
                    diagnostics.append(Diagnostic(.cannotRun, .source(token.location),
                        "blocks nested deeper than \(Self.maximumBlockDepth) levels; this block is ignored"))
                    ignoredDepth = 1
                    current = nil
                    continue
                }
                switch token.kind {
                case .word:
                    if current == nil {
                        current = Statement(keyword: token)
                        currentIsOnThisLine = true
                    } else {
                        current!.arguments.append(token)
                    }
                case .openBrace:
                    if let opener = current {
                        stack.append(Frame(opener: opener, openBrace: token))
                        current = nil
                    } else if !currentIsOnThisLine, let last = stack[stack.count - 1].statements.last,
                              last.block == nil {
                        // `{` on the line after its keyword.
                        stack[stack.count - 1].statements.removeLast()
                        stack.append(Frame(opener: last, openBrace: token))
                    } else {
                        diagnostics.append(Diagnostic(.cannotRun, .source(token.location),
                            "'{' without a keyword before it"))
                        let placeholder = Statement(keyword: Token(kind: .word, text: "{", location: token.location))
                        stack.append(Frame(opener: placeholder, openBrace: token))
                    }
                    currentIsOnThisLine = true
                case .closeBrace:
                    if let statement = current {
                        stack[stack.count - 1].statements.append(statement)
                        current = nil
                    }
                    if stack.count == 1 {
                        diagnostics.append(Diagnostic(.cannotRun, .source(token.location),
                            "'}' without a matching '{'"))
                    } else {
                        close(&stack)
                    }
                    currentIsOnThisLine = true
                }
            }
            if let statement = current {
                stack[stack.count - 1].statements.append(statement)
            }
        }
        while stack.count > 1 {
            let frame = stack[stack.count - 1]
            if let brace = frame.openBrace, let opener = frame.opener {
                diagnostics.append(Diagnostic(.cannotRun, .source(brace.location),
                    "missing '}' for the block of '\(opener.name)' opened here"))
            }
            close(&stack)
        }
        return stack[0].statements
    }

    private func close(_ stack: inout [Frame]) {
        let frame = stack.removeLast()
        guard var opener = frame.opener else { return }
        opener.block = frame.statements
        if opener.name == "{" {
            // A stray block: keep its statements out of the tree (already reported).
            return
        }
        stack[stack.count - 1].statements.append(opener)
    }
}
