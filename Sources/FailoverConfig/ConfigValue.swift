import VRRPWire

/// Conversions between keepalived.conf's textual values and typed values; shared by
/// the parser, the environment front end and the renderer.
public enum ConfigValue {
    /// An IPv4 or IPv6 address as keepalived reads one (inet_pton(3)): an IPv4 part
    /// whose octet has a leading zero (`010.0.0.1`) is no address, since it could
    /// mean octal to one tool and decimal to another.
    public static func address(_ text: some StringProtocol) -> IPAddress? {
        if hasLeadingZeroOctet(text) { return nil }
        return IPAddress(String(text))
    }

    /// True when the dotted-quad part of `text` has an octet with a leading zero.
    public static func hasLeadingZeroOctet(_ text: some StringProtocol) -> Bool {
        let quad = String(text).split(separator: ":", omittingEmptySubsequences: false).last ?? ""
        guard quad.contains(".") else { return false }
        return quad.split(separator: ".", omittingEmptySubsequences: false).contains { $0.count > 1 && $0.first == "0" }
    }

    /// The longest interface name Linux accepts (IFNAMSIZ − 1).
    public static let maximumInterfaceNameBytes = 15

    /// Why no Linux interface can ever have `name` (the kernel's dev_valid_name):
    /// empty, longer than 15 bytes, `.` or `..`, or containing `/`, `:` or whitespace.
    /// nil when the name is possible.
    public static func impossibleInterfaceName(_ name: String) -> String? {
        if name.isEmpty { return "it is empty" }
        if name.utf8.count > maximumInterfaceNameBytes {
            return "it is \(name.utf8.count) bytes long; Linux interface names have at most \(maximumInterfaceNameBytes)"
        }
        if name == "." || name == ".." { return "'\(name)' is not a possible interface name" }
        if name.contains("/") { return "it contains '/'" }
        if name.contains(":") { return "it contains ':'" }
        if name.unicodeScalars.contains(where: { $0.properties.isWhitespace }) { return "it contains whitespace" }
        return nil
    }

    /// The address scopes iproute2 names (`/etc/iproute2/rt_scopes`), by number.
    public static let addressScopes: [String: Int] = ["global": 0, "site": 200, "link": 253, "host": 254, "nowhere": 255]

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
