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
/// attached to a word; `#` or `!` at the start of a word begins a comment that runs
/// to the end of the line; `"…"` groups a word (a backslash escapes `"` and `\`
/// inside it). Pure: text in, tokens and diagnostics out.
public struct Lexer: Sendable {
    /// A source line that carries at least one token.
    public struct Line: Hashable, Sendable {
        public var tokens: [Token]
    }

    public init() {}

    /// Tokenizes `text`, naming locations after `file`. Never fails: an unterminated
    /// quote is reported and the word runs to the end of the line.
    public func tokenize(_ text: String, file: String) -> (lines: [Line], diagnostics: [Diagnostic]) {
        var lines: [Line] = []
        var diagnostics: [Diagnostic] = []
        var lineNumber = 0
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            let chars = Array(rawLine)
            var tokens: [Token] = []
            var i = 0
            func here(_ index: Int) -> SourceLocation {
                SourceLocation(file: file, line: lineNumber, column: index + 1)
            }
            scan: while i < chars.count {
                let c = chars[i]
                if c == " " || c == "\t" || c == "\r" || c == "\u{0C}" || c == "\u{0B}" {
                    i += 1
                    continue
                }
                switch c {
                case "#", "!":
                    break scan
                case "{":
                    tokens.append(Token(kind: .openBrace, text: "{", location: here(i)))
                    i += 1
                case "}":
                    tokens.append(Token(kind: .closeBrace, text: "}", location: here(i)))
                    i += 1
                case "\"":
                    let start = i
                    var value = ""
                    i += 1
                    var closed = false
                    while i < chars.count {
                        let d = chars[i]
                        if d == "\\", i + 1 < chars.count, chars[i + 1] == "\"" || chars[i + 1] == "\\" {
                            value.append(chars[i + 1])
                            i += 2
                        } else if d == "\"" {
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
                    tokens.append(Token(kind: .word, text: value, isQuoted: true, location: here(start)))
                default:
                    let start = i
                    var value = ""
                    while i < chars.count {
                        let d = chars[i]
                        if d == " " || d == "\t" || d == "\r" || d == "{" || d == "}" || d == "\"" { break }
                        value.append(d)
                        i += 1
                    }
                    tokens.append(Token(kind: .word, text: value, location: here(start)))
                }
            }
            if !tokens.isEmpty { lines.append(Line(tokens: tokens)) }
        }
        return (lines, diagnostics)
    }
}
