import Glibc

/// The measured values, per row and measure, per daemon; rendered as JSON and Markdown.
struct Results: Sendable {
    /// One measure of one row.
    struct Measure: Sendable {
        var row: String
        var name: String
        /// "ms", "% core", "MiB".
        var unit: String
        var values: [Daemon: [Double]] = [:]
        var failures: [Daemon: Int] = [:]
        var note: String = ""
    }

    private(set) var measures: [Measure] = []

    mutating func add(row: String, _ name: String, unit: String, _ daemon: Daemon, _ value: Double?, note: String = "") {
        let index: Int
        if let i = measures.firstIndex(where: { $0.row == row && $0.name == name }) {
            index = i
        } else {
            measures.append(Measure(row: row, name: name, unit: unit, note: note))
            index = measures.count - 1
        }
        if let value { measures[index].values[daemon, default: []].append(value) } else {
            measures[index].failures[daemon, default: 0] += 1
        }
        if !note.isEmpty { measures[index].note = note }
    }

    static func median(_ v: [Double]) -> Double? {
        guard !v.isEmpty else { return nil }
        let s = v.sorted()
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }

    static func format(_ v: Double) -> String {
        let a = abs(v)
        var digits = a >= 100 ? 0 : a >= 10 ? 1 : a >= 1 ? 2 : 3
        if v == 0 { digits = 0 }
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let scaled = Int64((a * scale).rounded())
        let whole = scaled / Int64(scale), fraction = scaled % Int64(scale)
        var text = "\(v < 0 && scaled != 0 ? "-" : "")\(whole)"
        if digits > 0 {
            let f = String(fraction)
            text += "." + String(repeating: "0", count: digits - f.count) + f
        }
        return text
    }

    private func cell(_ values: [Double]?, failures: Int?) -> String {
        guard let values, let m = Self.median(values) else { return failures.map { "failed ×\($0)" } ?? "—" }
        var text = "\(Self.format(m)) (\(Self.format(values.min()!))–\(Self.format(values.max()!)))"
        if let failures, failures > 0 { text += " +\(failures) failed" }
        return text
    }

    func markdown() -> String {
        var out = "| Row | Measure | Unit | ipfailover median (min–max) | keepalived median (min–max) | Ratio ipf/ka | n (ipf/ka) | Note |\n"
        out += "|---|---|---|---|---|---|---|---|\n"
        for m in measures {
            let ipf = m.values[.ipfailover], ka = m.values[.keepalived]
            var ratio = "—"
            if let i = ipf.flatMap(Self.median), let k = ka.flatMap(Self.median), k != 0 { ratio = Self.format(i / k) }
            out += "| \(m.row) | \(m.name) | \(m.unit) | \(cell(ipf, failures: m.failures[.ipfailover])) | "
            out += "\(cell(ka, failures: m.failures[.keepalived])) | \(ratio) | \(ipf?.count ?? 0)/\(ka?.count ?? 0) | \(m.note) |\n"
        }
        return out
    }

    func json(machine: [String: String], date: String, options: String) -> String {
        func str(_ s: String) -> String {
            "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
                .replacingOccurrences(of: "\n", with: "\\n") + "\""
        }
        func arr(_ v: [Double]) -> String { "[" + v.map { String($0) }.joined(separator: ", ") + "]" }
        var out = "{\n  \"date\": \(str(date)),\n  \"options\": \(str(options)),\n  \"machine\": {"
        out += machine.sorted { $0.key < $1.key }.map { "\(str($0.key)): \(str($0.value))" }.joined(separator: ", ") + "},\n"
        out += "  \"measures\": [\n"
        out += measures.map { m in
            var parts = ["\"row\": \(str(m.row))", "\"measure\": \(str(m.name))", "\"unit\": \(str(m.unit))", "\"note\": \(str(m.note))"]
            for d in Daemon.allCases {
                let v = m.values[d] ?? []
                var o = "\"values\": \(arr(v)), \"failures\": \(m.failures[d] ?? 0)"
                if let med = Self.median(v) { o += ", \"median\": \(med), \"min\": \(v.min()!), \"max\": \(v.max()!)" }
                parts.append("\(str(d.rawValue)): {\(o)}")
            }
            if let i = m.values[.ipfailover].flatMap(Self.median), let k = m.values[.keepalived].flatMap(Self.median), k != 0 {
                parts.append("\"ratio\": \(i / k)")
            }
            return "    {" + parts.joined(separator: ", ") + "}"
        }.joined(separator: ",\n")
        out += "\n  ]\n}\n"
        return out
    }
}

extension String {
    func replacingOccurrences(of target: String, with replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
