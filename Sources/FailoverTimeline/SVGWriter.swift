/// Builds SVG text: elements with escaped text and attributes, numbers with at most
/// two decimals (a timeline of a day in pixels needs no more).
struct SVGWriter {
    private(set) var text = ""

    mutating func raw(_ s: String) { text += s }
    mutating func append(_ other: SVGWriter) { text += other.text }

    mutating func rect(_ x: Double, _ y: Double, _ w: Double, _ h: Double, fill: String, opacity: Double? = nil,
                       stroke: String? = nil, rx: Double? = nil, title: String? = nil, className: String? = nil) {
        var attributes = "x=\"\(Self.number(x))\" y=\"\(Self.number(y))\" width=\"\(Self.number(max(w, 0)))\" height=\"\(Self.number(h))\" fill=\"\(fill)\""
        if let opacity { attributes += " fill-opacity=\"\(Self.number(opacity))\"" }
        if let stroke { attributes += " stroke=\"\(stroke)\" stroke-width=\"1\"" }
        if let rx { attributes += " rx=\"\(Self.number(rx))\"" }
        if let className { attributes += " class=\"\(className)\"" }
        element("rect", attributes, title: title)
    }

    mutating func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, stroke: String, width: Double = 1,
                       dash: String? = nil, title: String? = nil, className: String? = nil) {
        var attributes = "x1=\"\(Self.number(x1))\" y1=\"\(Self.number(y1))\" x2=\"\(Self.number(x2))\" y2=\"\(Self.number(y2))\" "
            + "stroke=\"\(stroke)\" stroke-width=\"\(Self.number(width))\""
        if let dash { attributes += " stroke-dasharray=\"\(dash)\"" }
        if let className { attributes += " class=\"\(className)\"" }
        element("line", attributes, title: title)
    }

    mutating func circle(_ cx: Double, _ cy: Double, _ r: Double, fill: String, title: String? = nil, className: String? = nil) {
        var attributes = "cx=\"\(Self.number(cx))\" cy=\"\(Self.number(cy))\" r=\"\(Self.number(r))\" fill=\"\(fill)\""
        if let className { attributes += " class=\"\(className)\"" }
        element("circle", attributes, title: title)
    }

    mutating func polygon(_ points: [(Double, Double)], fill: String, title: String? = nil, className: String? = nil) {
        var attributes = "points=\"" + points.map { "\(Self.number($0.0)),\(Self.number($0.1))" }.joined(separator: " ") + "\" fill=\"\(fill)\""
        if let className { attributes += " class=\"\(className)\"" }
        element("polygon", attributes, title: title)
    }

    mutating func text(_ x: Double, _ y: Double, _ content: String, size: Double, fill: String, weight: String? = nil,
                       anchor: String? = nil) {
        var attributes = "x=\"\(Self.number(x))\" y=\"\(Self.number(y))\" font-size=\"\(Self.number(size))\" fill=\"\(fill)\""
        if let weight { attributes += " font-weight=\"\(weight)\"" }
        if let anchor { attributes += " text-anchor=\"\(anchor)\"" }
        text += "<text \(attributes)>\(Self.escape(content))</text>\n"
    }

    private mutating func element(_ name: String, _ attributes: String, title: String?) {
        if let title {
            text += "<\(name) \(attributes)><title>\(Self.escape(title))</title></\(name)>\n"
        } else {
            text += "<\(name) \(attributes)/>\n"
        }
    }

    /// Text content or attribute value with XML's five special characters escaped
    /// and control characters (not allowed in XML 1.0) dropped.
    static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for scalar in s.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
            default:
                if scalar.value >= 0x20, scalar.value != 0xFFFE, scalar.value != 0xFFFF { out.unicodeScalars.append(scalar) }
            }
        }
        return out
    }

    /// `12`, `12.5`, `12.25`: at most two decimals, no exponent.
    static func number(_ v: Double) -> String {
        guard v.isFinite else { return "0" }
        let hundredths = Int((v * 100).rounded())
        let sign = hundredths < 0 ? "-" : ""
        let whole = abs(hundredths) / 100, fraction = abs(hundredths) % 100
        if fraction == 0 { return "\(sign)\(whole)" }
        return fraction % 10 == 0 ? "\(sign)\(whole).\(fraction / 10)" : "\(sign)\(whole).\(fraction < 10 ? "0" : "")\(fraction)"
    }
}
