/// Conversions between keepalived.conf's textual values and typed values; shared by
/// the parser, the environment front end and the renderer.
public enum ConfigValue {
    /// Parses decimal seconds (`2`, `0.5`, `1.25`, up to microseconds) into a Duration.
    public static func seconds(_ text: String) -> Duration? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, let whole = parts.first, !whole.isEmpty || parts.count == 2,
              whole.allSatisfy({ $0.isASCII && $0.isNumber }), whole.count <= 9 else { return nil }
        let wholeValue = whole.isEmpty ? 0 : Int64(whole)!
        var micros: Int64 = 0
        if parts.count == 2 {
            let fraction = parts[1]
            guard !fraction.isEmpty, fraction.count <= 6, fraction.allSatisfy({ $0.isASCII && $0.isNumber }) else {
                return nil
            }
            micros = Int64(fraction + String(repeating: "0", count: 6 - fraction.count))!
        }
        return .seconds(wholeValue) + .microseconds(micros)
    }

    /// Whole microseconds in a Duration (sub-microsecond parts are dropped).
    public static func microseconds(_ duration: Duration) -> Int64 {
        let (s, atto) = duration.components
        return s * 1_000_000 + atto / 1_000_000_000_000
    }

    /// Formats a Duration as decimal seconds without trailing zeros (`1`, `0.5`).
    public static func secondsText(_ duration: Duration) -> String {
        let micros = microseconds(duration)
        let whole = micros / 1_000_000
        var fraction = micros % 1_000_000
        if fraction == 0 { return String(whole) }
        var digits = 6
        while fraction % 10 == 0 { fraction /= 10; digits -= 1 }
        let text = String(fraction)
        return "\(whole)." + String(repeating: "0", count: digits - text.count) + text
    }

    /// Parses a decimal integer with an optional sign.
    public static func integer(_ text: String) -> Int? {
        guard !text.isEmpty, text.count <= 18 else { return nil }
        return Int(text)
    }

    /// Quotes a word for keepalived.conf when it contains whitespace, quotes, braces
    /// or comment characters.
    public static func quoted(_ text: String) -> String {
        let needsQuotes = text.isEmpty || text.contains { " \t\"{}#!\\".contains($0) }
        guard needsQuotes else { return text }
        var out = "\""
        for c in text {
            if c == "\"" || c == "\\" { out.append("\\") }
            out.append(c)
        }
        return out + "\""
    }
}
