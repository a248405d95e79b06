/// Draws one or more nodes' `/status` documents as a self-contained SVG timeline.
///
/// ```
///  demo_VIP_1  198.51.100.10                    ┆ VIP → b        ┆ VIP → a
///    a  ████████ MASTER ████████▼▓▓▓▓ FAULT ▓▓▓▓░░ BACKUP ░░░░░░██ MASTER ██
///    b  ░░░░░░░░ BACKUP ░░░░░░░░█████ MASTER ██████████████████░░ BACKUP ░░
///                                ●● notify calls (green: ok, red: failed)
///  ──────┬──────────┬──────────┬──────────┬─────  UTC time of day
/// ```
/// One group per instance (its VIPs in the heading), one lane per node; a band per
/// state from each transition to the next (the last one to the document's
/// `generatedAt`); ▼ where a check failure caused the change; dots for the notify
/// calls; a dashed line where the instance's MASTER moved to another node. Hovering
/// a band, mark or dot shows its details (`<title>`). No scripts, fonts or files
/// outside the SVG: it opens in any browser or image viewer.
public struct TimelineRenderer: Sendable {
    /// A stretch of time to shade and name (a soak's violation window).
    public struct Highlight: Sendable, Hashable {
        public var start: Double
        public var end: Double
        public var label: String

        public init(start: Double, end: Double, label: String) {
            self.start = start
            self.end = end
            self.label = label
        }
    }

    /// The heading.
    public var title: String
    /// The time range drawn (wall-clock seconds); nil: every record of every source.
    public var window: ClosedRange<Double>?
    public var highlights: [Highlight]
    /// Width of the whole picture in pixels.
    public var width: Double

    public init(title: String = "ipfailover timeline", window: ClosedRange<Double>? = nil,
                highlights: [Highlight] = [], width: Double = 1100) {
        self.title = title
        self.window = window
        self.highlights = highlights
        self.width = max(width, 600)
    }

    /// Fill colours of the states (also what a picture test looks for).
    public static let stateColors: [String: String] = [
        "MASTER": "#2f9e44", "BACKUP": "#4c7bd9", "FAULT": "#e03131", "INIT": "#adb5bd",
    ]
    static let checkColor = "#c92a2a"
    static let notifyOK = "#37b24d"
    static let notifyFailed = "#f03e3e"
    static let movedColor = "#e8590c"
    static let highlightColor = "#ffd43b"

    static let labelWidth = 240.0
    static let rightMargin = 24.0
    static let groupHeading = 22.0
    static let laneHeight = 36.0
    static let bandTop = 12.0
    static let bandHeight = 14.0

    /// One node's view of one instance.
    struct Lane {
        var node: String
        var instance: TimelineDocument.Instance
        var end: Double?
    }

    /// The SVG text of `sources`.
    public func svg(_ sources: [TimelineSource]) -> String {
        let groups = Self.groups(sources)
        let range = timeRange(sources)
        var out = SVGWriter()
        let plotLeft = Self.labelWidth, plotWidth = width - Self.labelWidth - Self.rightMargin
        func x(_ t: Double) -> Double {
            let span = range.upperBound - range.lowerBound
            let clamped = min(max(t, range.lowerBound), range.upperBound)
            return plotLeft + (span > 0 ? (clamped - range.lowerBound) / span * plotWidth : 0)
        }

        var y = 64.0
        let top = y
        var body = SVGWriter()
        if groups.isEmpty {
            body.text(plotLeft, y + 20, "no instances in the documents", size: 12, fill: "#495057")
            y += 40
        }
        for (instance, lanes) in groups {
            drawGroup(instance: instance, lanes: lanes, y: &y, x: x, range: range, into: &body)
        }
        let bottom = y
        // Highlights under everything else in the plot.
        var under = SVGWriter()
        for h in highlights where h.end >= range.lowerBound && h.start <= range.upperBound {
            let x0 = x(h.start), x1 = max(x(h.end), x0 + 2)
            under.rect(x0, top - 6, x1 - x0, bottom - top + 6, fill: Self.highlightColor, opacity: 0.35,
                       title: "\(h.label): \(UTCTime.timeOfDay(h.start))–\(UTCTime.timeOfDay(h.end))")
            // Right of the plot's middle the label ends at the window's end, inside the picture.
            let right = x0 > plotLeft + plotWidth / 2
            under.text(right ? x1 - 3 : x0 + 3, top - 9, h.label, size: 10, fill: "#7c5c00", anchor: right ? "end" : nil)
        }

        let axisY = bottom + 8
        var axis = SVGWriter()
        drawAxis(range: range, y: axisY, x: x, into: &axis)
        let legendY = axisY + 44
        var legend = SVGWriter()
        drawLegend(y: legendY, into: &legend)
        let height = legendY + 30

        out.raw("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(SVGWriter.number(width))\" height=\"\(SVGWriter.number(height))\" "
                + "viewBox=\"0 0 \(SVGWriter.number(width)) \(SVGWriter.number(height))\" "
                + "font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\">\n")
        out.raw("<title>\(SVGWriter.escape(title))</title>\n")
        out.rect(0, 0, width, height, fill: "#ffffff")
        out.text(16, 26, title, size: 16, fill: "#212529", weight: "bold")
        let subtitle = "\(UTCTime.timestamp(range.lowerBound)) – \(UTCTime.timestamp(range.upperBound)) (UTC), "
            + "\(sources.count) node\(sources.count == 1 ? "" : "s"): " + sources.map(\.label).joined(separator: ", ")
        out.text(16, 46, subtitle, size: 11, fill: "#495057")
        out.append(under)
        out.append(body)
        out.append(axis)
        out.append(legend)
        out.raw("</svg>\n")
        return out.text
    }

    /// Instances in the order first seen, each with one lane per source that has it.
    static func groups(_ sources: [TimelineSource]) -> [(String, [Lane])] {
        var order: [String] = []
        var lanes: [String: [Lane]] = [:]
        for source in sources {
            for instance in source.document.instances {
                if lanes[instance.name] == nil { order.append(instance.name) }
                lanes[instance.name, default: []].append(Lane(node: source.label, instance: instance, end: source.document.generatedAt))
            }
        }
        return order.map { ($0, lanes[$0]!) }
    }

    /// `window`, else from the earliest record to the latest document time, with a
    /// little room on both sides; never empty.
    func timeRange(_ sources: [TimelineSource]) -> ClosedRange<Double> {
        if let window, window.upperBound > window.lowerBound { return window }
        var times = sources.flatMap { s in s.document.instances.flatMap { ($0.history ?? []).map(\.time) } }
        times += sources.compactMap(\.document.generatedAt)
        times += highlights.flatMap { [$0.start, $0.end] }
        guard let first = times.min(), let last = times.max() else { return 0...1 }
        let pad = max((last - first) * 0.03, 0.5)
        return (first - pad)...(last + pad)
    }
}
