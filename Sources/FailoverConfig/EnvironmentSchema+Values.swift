import VRRPWire

/// How the schema reads each kind of value: as the OpenShift image and keepalived
/// 2.2.7 read what the image writes, and never into anything that would not stay
/// one token in keepalived.conf.
extension EnvironmentSchema {
    /// A decimal integer in `range`. A leading zero is refused: the image computes with
    /// the value in bash, which reads it as octal (`010` is 8, `08` an error).
    static func integer(_ text: String, _ range: ClosedRange<Int>) throws(EnvironmentValueError) -> Int {
        let trimmed = text.trimmingSpaces
        let digits = trimmed.drop { $0 == "-" || $0 == "+" }
        guard let v = Int(trimmed), range.contains(v) else {
            let bounds = range == Int.min...Int.max ? "" : " in \(range.lowerBound)…\(range.upperBound)"
            throw EnvironmentValueError("'\(text)' is not an integer\(bounds)")
        }
        if digits.count > 1, digits.first == "0" {
            throw EnvironmentValueError("'\(text)' has a leading zero, which the image reads as an octal number; "
                + "write it without the zero")
        }
        return v
    }

    /// Refuses what would not stay one token in keepalived.conf: control characters
    /// (a newline would end the line and let the rest become configuration), double
    /// quotes (keepalived 2.2.7 has no escape for them inside a quoted word) and
    /// backslashes (keepalived and ipfailover read them differently inside quotes).
    static func writable(_ text: String) throws(EnvironmentValueError) {
        for scalar in text.unicodeScalars {
            let hex = String(scalar.value, radix: 16, uppercase: true)
            let code = "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
            switch scalar {
            case _ where scalar.properties.generalCategory == .control
                || scalar.properties.generalCategory == .lineSeparator
                || scalar.properties.generalCategory == .paragraphSeparator:
                throw EnvironmentValueError("contains the control character \(code); a value written into "
                    + "keepalived.conf must stay on one line")
            case "\"":
                throw EnvironmentValueError("'\(text)' contains a double quote, which keepalived.conf cannot carry "
                    + "inside a word (keepalived 2.2.7 has no escape for it)")
            case "\\":
                throw EnvironmentValueError("'\(text)' contains a backslash, which keepalived 2.2.7 and ipfailover "
                    + "read differently inside a quoted word")
            default:
                continue
            }
        }
    }

    /// OPENSHIFT_HA_CONFIG_NAME. The image writes the raw name as `auth_pass <name>`
    /// and `vrrp_script chk_<name>`: whitespace there drops the check from every
    /// instance, and `#`, `!`, `{`, `}` break the file, so those are refused.
    static func configName(_ text: String) throws(EnvironmentValueError) -> String {
        try writable(text)
        if let bad = text.first(where: { $0.isWhitespace || "#!{}".contains($0) }) {
            throw EnvironmentValueError("'\(text)' contains '\(bad)'; the image writes the name unquoted into "
                + "keepalived.conf, where it splits or ends the word")
        }
        guard !scrub(text).isEmpty else {
            throw EnvironmentValueError("'\(text)' has no character in [A-Za-z0-9_-]")
        }
        return text
    }

    /// A Linux interface name (the kernel's dev_valid_name) that keepalived.conf can
    /// carry as one word; also applied to a detected interface.
    public static func interfaceName(_ text: String) throws(EnvironmentValueError) -> String {
        try writable(text)
        guard !text.isEmpty, text.utf8.count <= 15, text != ".", text != "..",
              !text.contains(where: { $0 == "/" || $0 == ":" || $0.isWhitespace }) else {
            throw EnvironmentValueError("'\(text)' is not a Linux interface name (1–15 bytes, not '.' or '..', "
                + "no '/', ':' or whitespace)")
        }
        return text
    }

    /// OPENSHIFT_HA_MONITOR_PORT as the image reads it: non-digits dropped, nothing
    /// left means 80. A port the image's check could never connect to is refused.
    static func monitorPort(_ text: String) throws(EnvironmentValueError) -> UInt16 {
        let digits = text.filter { $0.isASCII && $0.isNumber }
        if digits.isEmpty { return 80 }
        guard digits.count <= 5, let port = Int(digits), port <= 65535 else {
            throw EnvironmentValueError("'\(text)' is not a port 0…65535 (the image's check could never connect)")
        }
        if port == 0, digits != "0" {
            throw EnvironmentValueError("'\(text)' is port 0 but not '0': the image would run a check connecting "
                + "to port 0, which always fails; write 0 for no check")
        }
        return UInt16(port)
    }

    static func address(_ text: String) throws(EnvironmentValueError) -> IPAddress {
        guard let address = IPAddress(text.trimmingSpaces) else {
            throw EnvironmentValueError("'\(text)' is not an IPv4 or IPv6 address")
        }
        return address
    }

    /// A check or notify command, written quoted into keepalived.conf.
    static func command(_ text: String) throws(EnvironmentValueError) -> String {
        try writable(text)
        let trimmed = text.trimmingSpaces
        guard !trimmed.isEmpty else { throw EnvironmentValueError("is blank") }
        return trimmed
    }

    /// OPENSHIFT_HA_CHECK_INTERVAL as keepalived 2.2.7 reads the image's
    /// `interval <value>`: whole seconds 1…4294; 0 becomes 1; a fractional value is
    /// ignored, which leaves keepalived's default of 1 second.
    static func checkInterval(_ text: String) throws(EnvironmentValueError) -> Duration {
        let trimmed = text.trimmingSpaces
        guard let value = ConfigValue.seconds(trimmed), value <= .seconds(4294) else {
            throw EnvironmentValueError("'\(text)' is not a number of seconds 0…4294 (keepalived 2.2.7 would "
                + "ignore it)")
        }
        if trimmed.contains(".") || value == .zero { return .seconds(1) }
        return value
    }

    /// OPENSHIFT_HA_PREEMPTION. Surrounding whitespace (a trailing newline from a YAML
    /// block) is harmless on the image's line of its own, so only the inside is checked.
    static func preemption(_ text: String) throws(EnvironmentValueError) -> Preemption {
        try writable(text.trimmingSpaces)
        let words = text.split(whereSeparator: \.isWhitespace)
        if words == ["nopreempt"] { return .disabled }
        if words == ["preempt"] { return .immediate }
        if words.count == 2, words[0] == "preempt_delay" || words[0] == "preempt_nodelay",
           let delay = ConfigValue.seconds(String(words[1])), delay <= .seconds(1000) {
            return delay == .zero ? .immediate : .delayed(delay)
        }
        throw EnvironmentValueError("'\(text)' is not 'preempt', 'nopreempt' or 'preempt_delay N' with N in 0…1000 "
            + "(the image writes the value into each instance, where keepalived 2.2.7 accepts only these)")
    }

    static func vridList(_ text: String) throws(EnvironmentValueError) -> Set<Int> {
        var result: Set<Int> = []
        var bad: [String] = []
        for entry in text.split(whereSeparator: { $0 == "," || $0.isWhitespace }) {
            let bounds = entry.split(separator: "-", omittingEmptySubsequences: false)
            if bounds.count == 1, let v = Int(bounds[0]), (1...255).contains(v) {
                result.insert(v)
            } else if bounds.count == 2, let a = Int(bounds[0]), let b = Int(bounds[1]), 1 <= a, a <= b, b <= 255 {
                result.formUnion(a...b)
            } else {
                bad.append("entry '\(entry)': expected a VRID 1…255 or a range N-M")
            }
        }
        if !bad.isEmpty { throw EnvironmentValueError(bad.joined(separator: "; ")) }
        return result
    }
}
