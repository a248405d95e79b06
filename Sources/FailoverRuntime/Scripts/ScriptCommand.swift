/// A script command line split into words the way keepalived 2.2 splits `script`,
/// `notify*` values (`alloc_strvec_quoted_escaped`): words are separated by unquoted
/// whitespace; `'…'` and `"…"` group (quotes themselves are dropped, adjacent quoted
/// and unquoted parts join into one word); a backslash escapes the next character
/// everywhere, including inside either kind of quote, with C-style escapes
/// (`\n \t \r \a \b \f \v \E`, `\xHH…`, `\cX`, octal `\NNN`).
public struct ScriptCommand: Sendable, Hashable, CustomStringConvertible {
    /// argv as configured: `words[0]` is the program path.
    public var words: [String]

    public init(words: [String]) { self.words = words }

    /// Splits `commandLine`; throws on an unterminated quote, a trailing backslash
    /// or an empty command.
    public init(parsing commandLine: String) throws(ScriptError) {
        words = try Self.split(commandLine)
    }

    /// The program path (first word).
    public var program: String { words[0] }

    /// The string keepalived passes to `system()` when the program is not directly
    /// executable (`cmd_str`): every word in single quotes, except a first word
    /// starting with `<` or `>` (bash redirection-only checks).
    public var shellCommandString: String {
        words.enumerated().map { index, word in
            if index == 0, let first = word.first, first == "<" || first == ">" { return word }
            return "'" + word + "'"
        }.joined(separator: " ")
    }

    public var description: String { words.joined(separator: " ") }

    static let whitespace: Set<UInt8> = [0x20, 0x09, 0x0A, 0x0D, 0x0C, 0x0B]

    static func split(_ text: String) throws(ScriptError) -> [String] {
        let bytes = Array(text.utf8)
        var words: [String] = []
        var i = 0
        while i < bytes.count {
            while i < bytes.count, whitespace.contains(bytes[i]) { i += 1 }
            if i >= bytes.count { break }
            var word: [UInt8] = []
            var quote: UInt8? = nil
            wordLoop: while i < bytes.count {
                let c = bytes[i]
                if c == UInt8(ascii: "\\") {
                    i += 1
                    guard i < bytes.count else {
                        throw .commandLine(text, "missing escaped character after a trailing backslash")
                    }
                    word.append(unescape(bytes, &i))
                    continue
                }
                if let q = quote {
                    if c == q { quote = nil } else { word.append(c) }
                    i += 1
                    continue
                }
                if c == UInt8(ascii: "'") || c == UInt8(ascii: "\"") {
                    quote = c
                    i += 1
                    continue
                }
                if whitespace.contains(c) { break wordLoop }
                word.append(c)
                i += 1
            }
            if let q = quote {
                throw .commandLine(text, "missing terminating \(Character(Unicode.Scalar(q)))")
            }
            words.append(String(decoding: word, as: UTF8.self))
        }
        guard !words.isEmpty else { throw .commandLine(text, "empty command") }
        return words
    }

    /// Decodes the escape whose first character is `bytes[i]`; advances `i` past it.
    private static func unescape(_ bytes: [UInt8], _ i: inout Int) -> UInt8 {
        func isHex(_ b: UInt8) -> Bool {
            (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x46) || (b >= 0x61 && b <= 0x66)
        }
        func isOctal(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x37 }
        let c = bytes[i]
        if c == UInt8(ascii: "x"), i + 1 < bytes.count, isHex(bytes[i + 1]) {
            var value: UInt8 = 0
            i += 1
            while i < bytes.count, isHex(bytes[i]) {
                let b = bytes[i]
                let digit = b <= 0x39 ? b - 0x30 : (b | 0x20) - 0x61 + 10
                value = value &<< 4 | digit
                i += 1
            }
            return value
        }
        if c == UInt8(ascii: "c"), i + 1 < bytes.count {
            i += 2
            return bytes[i - 1] & 0x1F
        }
        if isOctal(c) {
            var value = c - 0x30
            i += 1
            for _ in 0..<2 where i < bytes.count && isOctal(bytes[i]) {
                value = value &<< 3 &+ (bytes[i] - 0x30)
                i += 1
            }
            return value
        }
        i += 1
        switch c {
        case UInt8(ascii: "a"): return 0x07
        case UInt8(ascii: "b"): return 0x08
        case UInt8(ascii: "E"): return 0x1B
        case UInt8(ascii: "f"): return 0x0C
        case UInt8(ascii: "n"): return 0x0A
        case UInt8(ascii: "r"): return 0x0D
        case UInt8(ascii: "t"): return 0x09
        case UInt8(ascii: "v"): return 0x0B
        default: return c
        }
    }
}
