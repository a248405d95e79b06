extension TimelineRenderer {
    /// Tick spacings in seconds, from 100 ms to a day.
    static let tickSteps: [Double] = [0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600,
                                      7200, 10800, 21600, 43200, 86400]

    /// The time axis under the lanes: UTC time of day at round instants, at most ~10 ticks.
    func drawAxis(range: ClosedRange<Double>, y: Double, x: (Double) -> Double, into out: inout SVGWriter) {
        let plotRight = width - Self.rightMargin
        out.line(Self.labelWidth, y, plotRight, y, stroke: "#495057")
        let span = range.upperBound - range.lowerBound
        let step = Self.tickSteps.first { span / $0 <= 10 } ?? (span / 10).rounded(.up)
        var t = (range.lowerBound / step).rounded(.up) * step
        var ticks = 0
        while t <= range.upperBound, ticks < 50 {
            let tx = x(t)
            out.line(tx, y, tx, y + 5, stroke: "#495057")
            out.text(tx, y + 18, UTCTime.timeOfDay(t, milliseconds: step < 1), size: 10, fill: "#495057", anchor: "middle")
            t += step
            ticks += 1
        }
        out.text(plotRight, y + 32, "UTC, \(UTCTime.date(range.lowerBound)); ticks every \(Self.seconds(step))",
                 size: 9, fill: "#868e96", anchor: "end")
    }

    /// What the colours and marks mean.
    func drawLegend(y: Double, into out: inout SVGWriter) {
        var lx = 16.0
        for state in ["MASTER", "BACKUP", "FAULT", "INIT"] {
            out.rect(lx, y - 9, 22, 10, fill: Self.stateColors[state]!)
            out.text(lx + 27, y, state, size: 10, fill: "#343a40")
            lx += 34 + Double(state.count) * 7
        }
        out.polygon([(lx, y - 9), (lx + 10, y - 9), (lx + 5, y)], fill: Self.checkColor)
        out.text(lx + 15, y, "check failed", size: 10, fill: "#343a40")
        lx += 95
        out.circle(lx + 3, y - 4, 3, fill: Self.notifyOK)
        out.circle(lx + 11, y - 4, 3, fill: Self.notifyFailed)
        out.text(lx + 19, y, "notify call (ok / failed)", size: 10, fill: "#343a40")
        lx += 150
        out.line(lx, y - 10, lx, y + 2, stroke: Self.movedColor, width: 1.5, dash: "4 3")
        out.text(lx + 6, y, "VIP moved (MASTER on another node)", size: 10, fill: "#343a40")
        lx += 220
        if !highlights.isEmpty {
            out.rect(lx, y - 9, 22, 10, fill: Self.highlightColor, opacity: 0.35)
            out.text(lx + 27, y, "violation window", size: 10, fill: "#343a40")
        }
    }
}
