/// One lexical token of keepalived.conf.
public struct Token: Hashable, Sendable {
    /// The token's kind.
    public enum Kind: Hashable, Sendable {
        /// A word or a double-quoted string (quotes removed).
        case word
        /// `{`: opens a block.
        case openBrace
        /// `}`: closes a block.
        case closeBrace
    }

    public var kind: Kind
    /// The text without surrounding quotes.
    public var text: String
    /// True when the token was written in double quotes.
    public var isQuoted: Bool
    /// Where the token starts.
    public var location: SourceLocation

    public init(kind: Kind, text: String, isQuoted: Bool = false, location: SourceLocation) {
        self.kind = kind
        self.text = text
        self.isQuoted = isQuoted
        self.location = location
    }
}

/// Splits keepalived.conf text into lines of tokens, as keepalived reads it:
/// whitespace separates words; `{` and `}` are tokens of their own even when
/// attached to a word; `#` or `!` anywhere outside quotes begins a comment that runs
/// to the end of the line (keepalived 2.2.7 reads `priority 100#x` as `priority 100`); `"…"` groups a word (a backslash escapes `"` and `\`
/// inside it). Pure: text in, tokens and diagnostics out.
public struct Lexer: Sendable {
    /// A source line that carries at least one token.
    public struct Line: Hashable, Sendable {
        /// The line's tokens, in order (never empty).
        public var tokens: [Token]
    }

    /// A bound on how many tokens one configuration yields (each costs ~100 bytes in
    /// memory, far more than its text).
    public struct TokenLimit: Hashable, Sendable {
        /// Tokens this text may still yield.
        public var remaining: Int
        /// The configuration's limit in all (for the message).
        public var total: Int

        public init(remaining: Int, total: Int) {
            self.remaining = remaining
            self.total = total
        }
    }

    public init() {}

    /// Tokenizes `text`, naming locations after `file`. Never fails: an unterminated
    /// quote is reported and the word runs to the end of the line. Works on UTF-8 bytes
    /// (every syntax character is ASCII); columns count characters. With `limit`, the
    /// token past it is reported as an error and the rest of the text is not read.
    public func tokenize(_ text: String, file: String, limit: TokenLimit? = nil) -> (lines: [Line], diagnostics: [Diagnostic]) {
        var lines: [Line] = []
        var diagnostics: [Diagnostic] = []
        let allowed = limit?.remaining ?? .max
        var produced = 0
        var stopped = false
        var text = text
        text.withUTF8 { bytes in
            var lineNumber = 0
            var lineStart = 0
            while lineStart <= bytes.count {
                lineNumber += 1
                var lineEnd = lineStart
                while lineEnd < bytes.count, bytes[lineEnd] != UInt8(ascii: "\n") { lineEnd += 1 }
                var tokens: [Token] = []
                var i = lineStart
                // Tokens are located in increasing order, so the column is carried
                // forward from the previous token instead of recounted from the line
                // start: linear in the line's length, however many tokens it holds.
                var countedTo = lineStart
                var countedColumn = 1
                func here(_ index: Int) -> SourceLocation {
                    while countedTo < index {
                        if bytes[countedTo] & 0xC0 != 0x80 { countedColumn += 1 }
                        countedTo += 1
                    }
                    return SourceLocation(file: file, line: lineNumber, column: countedColumn)
                }
                func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0D || b == 0x0C || b == 0x0B }
                scan: while i < lineEnd {
                    let c = bytes[i]
                    if isSpace(c) {
                        i += 1
                        continue
                    }
                    if c == UInt8(ascii: "#") || c == UInt8(ascii: "!") { break scan }
                    guard produced < allowed else {
                        diagnostics.append(Diagnostic(.cannotRun, .source(here(i)),
                            "more than \(limit?.total ?? allowed) words and braces in the configuration; the rest is not read"))
                        stopped = true
                        break scan
                    }
                    produced += 1
                    switch c {
                    case UInt8(ascii: "{"):
                        tokens.append(Token(kind: .openBrace, text: "{", location: here(i)))
                        i += 1
                    case UInt8(ascii: "}"):
                        tokens.append(Token(kind: .closeBrace, text: "}", location: here(i)))
                        i += 1
                    case UInt8(ascii: "\""):
                        let start = i
                        var value: [UInt8] = []
                        i += 1
                        var closed = false
                        while i < lineEnd {
                            let d = bytes[i]
                            if d == UInt8(ascii: "\\"), i + 1 < lineEnd,
                               bytes[i + 1] == UInt8(ascii: "\"") || bytes[i + 1] == UInt8(ascii: "\\") {
                                value.append(bytes[i + 1])
                                i += 2
                            } else if d == UInt8(ascii: "\"") {
                                closed = true
                                i += 1
                                break
                            } else {
                                value.append(d)
                                i += 1
                            }
                        }
                        if !closed {
                            diagnostics.append(Diagnostic(.adjusted, .source(here(start)),
                                                          "unterminated quoted string; it runs to the end of the line"))
                        }
                        tokens.append(Token(kind: .word, text: String(decoding: value, as: UTF8.self), isQuoted: true,
                                            location: here(start)))
                    default:
                        let start = i
                        while i < lineEnd {
                            let d = bytes[i]
                            if isSpace(d) || d == UInt8(ascii: "{") || d == UInt8(ascii: "}") || d == UInt8(ascii: "\"")
                                || d == UInt8(ascii: "#") || d == UInt8(ascii: "!") { break }
                            i += 1
                        }
                        tokens.append(Token(kind: .word, text: String(decoding: bytes[start..<i], as: UTF8.self),
                                            location: here(start)))
                    }
                }
                if !tokens.isEmpty { lines.append(Line(tokens: tokens)) }
                if stopped { break }
                lineStart = lineEnd + 1
            }
        }
        return (lines, diagnostics)
    }
}
