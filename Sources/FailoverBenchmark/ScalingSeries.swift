/// CPU per node against instance count for both daemons (rows 6 and 7), drawn as
/// a self-contained SVG line chart: one line per daemon and node, medians of the
/// repetitions.
struct ScalingSeries: Sendable {
    private struct Key: Hashable { var daemon: Daemon; var node: String; var instances: Int }
    private var samples: [Key: [Double]] = [:]

    var isEmpty: Bool { samples.isEmpty }

    mutating func add(daemon: Daemon, node: String, instances: Int, cpu: Double) {
        samples[Key(daemon: daemon, node: node, instances: instances), default: []].append(cpu)
    }

    /// The chart. x: the instance counts measured, evenly spaced; y: % of a core.
    func svg(title: String, caption: String) -> String {
        let counts = Set(samples.keys.map(\.instances)).sorted()
        let nodes = Set(samples.keys.map(\.node)).sorted()
        let medians = samples.mapValues { Results.median($0) ?? 0 }
        let top = Self.niceCeiling(max(medians.values.max() ?? 1, 0.1))
        let (width, height) = (760.0, 440.0)
        let (left, right, upper, lower) = (70.0, 190.0, 50.0, 60.0)
        let plotW = width - left - right, plotH = height - upper - lower
        func x(_ i: Int) -> Double { counts.count == 1 ? left + plotW / 2 : left + plotW * Double(i) / Double(counts.count - 1) }
        func y(_ v: Double) -> Double { upper + plotH * (1 - v / top) }
        func f(_ v: Double) -> String { Results.format(v) }
        var out = """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" viewBox="0 0 \(Int(width)) \(Int(height))" font-family="DejaVu Sans, Verdana, sans-serif" font-size="12">
        <rect width="100%" height="100%" fill="#ffffff"/>
        <text x="\(f(left))" y="24" font-size="15" font-weight="bold">\(Self.escape(title))</text>
        <text x="\(f(left))" y="40" fill="#555555">\(Self.escape(caption)) · medians of the repetitions · on-CPU time of each node's daemon</text>

        """
        for step in 0...4 {
            let v = top * Double(step) / 4
            out += "<line x1=\"\(f(left))\" x2=\"\(f(left + plotW))\" y1=\"\(f(y(v)))\" y2=\"\(f(y(v)))\" stroke=\"#e0e0e0\"/>\n"
            out += "<text x=\"\(f(left - 8))\" y=\"\(f(y(v) + 4))\" text-anchor=\"end\">\(f(v))</text>\n"
        }
        for (i, count) in counts.enumerated() {
            out += "<text x=\"\(f(x(i)))\" y=\"\(f(upper + plotH + 18))\" text-anchor=\"middle\">\(count)</text>\n"
        }
        out += "<text x=\"\(f(left + plotW / 2))\" y=\"\(f(height - 16))\" text-anchor=\"middle\">instances (VRIDs), one VIP each</text>\n"
        out += "<text transform=\"translate(18 \(f(upper + plotH / 2))) rotate(-90)\" text-anchor=\"middle\">% of a core</text>\n"
        out += "<line x1=\"\(f(left))\" x2=\"\(f(left))\" y1=\"\(f(upper))\" y2=\"\(f(upper + plotH))\" stroke=\"#333333\"/>\n"
        out += "<line x1=\"\(f(left))\" x2=\"\(f(left + plotW))\" y1=\"\(f(upper + plotH))\" y2=\"\(f(upper + plotH))\" stroke=\"#333333\"/>\n"
        let colours = ["a": "#d62728", "b": "#1f77b4", "c": "#2ca02c"]
        var legend = 0
        for daemon in Daemon.allCases {
            for node in nodes {
                let points = counts.enumerated().compactMap { i, c in
                    medians[Key(daemon: daemon, node: node, instances: c)].map { "\(f(x(i))),\(f(y($0)))" }
                }
                guard !points.isEmpty else { continue }
                let colour = colours[node] ?? "#777777"
                let dash = daemon == .keepalived ? " stroke-dasharray=\"6 4\"" : ""
                out += "<polyline fill=\"none\" stroke=\"\(colour)\" stroke-width=\"2\"\(dash) points=\"\(points.joined(separator: " "))\"/>\n"
                for p in points {
                    let xy = p.split(separator: ",")
                    out += "<circle cx=\"\(xy[0])\" cy=\"\(xy[1])\" r=\"3\" fill=\"\(colour)\"/>\n"
                }
                let ly = upper + 10 + Double(legend) * 20
                let role = node == "a" ? "master" : "backup"
                out += "<line x1=\"\(f(left + plotW + 16))\" x2=\"\(f(left + plotW + 46))\" y1=\"\(f(ly))\" y2=\"\(f(ly))\" stroke=\"\(colour)\" stroke-width=\"2\"\(dash)/>\n"
                out += "<text x=\"\(f(left + plotW + 52))\" y=\"\(f(ly + 4))\">\(daemon.rawValue) \(node) (\(role))</text>\n"
                legend += 1
            }
        }
        out += "</svg>\n"
        return out
    }

    /// The smallest of 1, 2, 5 × 10ⁿ at or above `v`.
    static func niceCeiling(_ v: Double) -> Double {
        var scale = 1.0
        while scale * 10 < v { scale *= 10 }
        while scale > v { scale /= 10 }
        for m in [1.0, 2, 5, 10] where m * scale >= v { return m * scale }
        return 10 * scale
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}
