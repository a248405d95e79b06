extension TimelineRenderer {
    /// One instance: its heading, a lane per node, and the moments its MASTER moved.
    func drawGroup(instance: String, lanes: [Lane], y: inout Double, x: (Double) -> Double,
                   range: ClosedRange<Double>, into out: inout SVGWriter) {
        let vips = lanes.first?.instance.virtualAddresses?.map { String($0.prefix { $0 != " " }) } ?? []
        out.text(12, y + 15, instance, size: 12, fill: "#212529", weight: "bold")
        if !vips.isEmpty {
            let shown = vips.prefix(4).joined(separator: ", ") + (vips.count > 4 ? " +\(vips.count - 4)" : "")
            out.text(12 + Double(instance.count) * 7.5 + 10, y + 15, shown, size: 11, fill: "#495057")
        }
        let groupTop = y + Self.groupHeading
        y = groupTop
        for lane in lanes {
            drawLane(lane, y: y, x: x, range: range, into: &out)
            y += Self.laneHeight
        }
        for move in Self.masterMoves(lanes) where move.time >= range.lowerBound && move.time <= range.upperBound {
            let mx = x(move.time)
            out.line(mx, groupTop - 8, mx, y - 2, stroke: Self.movedColor, width: 1.5, dash: "4 3",
                     title: "\(instance): MASTER moved to \(move.node) at \(UTCTime.timestamp(move.time))", className: "vip-moved")
            // In the heading row, clear of the lanes' cause labels.
            let atEnd = mx > width - Self.rightMargin - 70
            out.text(atEnd ? mx - 3 : mx + 3, groupTop - 4, "VIP → \(move.node)", size: 10, fill: Self.movedColor,
                     weight: "bold", anchor: atEnd ? "end" : nil)
        }
        y += 8
    }

    /// The times `instance`'s MASTER changed node: every entry into MASTER by a node
    /// other than the last one seen entering MASTER (the first master is not a move).
    static func masterMoves(_ lanes: [Lane]) -> [(time: Double, node: String)] {
        let entries = lanes.flatMap { lane in
            (lane.instance.history ?? []).filter { $0.to == "MASTER" }.map { (time: $0.time, node: lane.node) }
        }.sorted { $0.time < $1.time }
        var moves: [(time: Double, node: String)] = []
        var holder: String?
        for entry in entries {
            if let holder, holder != entry.node { moves.append(entry) }
            holder = entry.node
        }
        return moves
    }

    /// The state bands of one node, with the check-failure marks, cause labels and notify dots.
    func drawLane(_ lane: Lane, y: Double, x: (Double) -> Double, range: ClosedRange<Double>, into out: inout SVGWriter) {
        let plotRight = width - Self.rightMargin
        out.rect(Self.labelWidth, y + Self.bandTop - 2, plotRight - Self.labelWidth, Self.bandHeight + 4, fill: "#f1f3f5")
        out.text(24, y + Self.bandTop + 11, lane.node, size: 11, fill: "#343a40")
        out.text(Self.labelWidth - 8, y + Self.bandTop + 11, lane.instance.state, size: 10,
                 fill: Self.stateColors[lane.instance.state] ?? "#495057", anchor: "end")
        let history = (lane.instance.history ?? []).sorted { $0.time < $1.time }
        guard !history.isEmpty else {
            out.text(Self.labelWidth + 6, y + Self.bandTop + 11, "no transition history in this document", size: 10, fill: "#868e96")
            return
        }
        let end = max(lane.end ?? history.last!.time, history.last!.time)
        var lastLabelX = -Double.infinity
        for (i, record) in history.enumerated() {
            let start = record.time
            let stop = i + 1 < history.count ? history[i + 1].time : end
            guard stop >= range.lowerBound, start <= range.upperBound else { continue }
            let x0 = x(start), x1 = x(stop)
            let color = Self.stateColors[record.to] ?? "#ced4da"
            let why = [record.reason, record.detail].compactMap { $0 }.joined(separator: ": ")
            out.rect(x0, y + Self.bandTop, max(x1 - x0, 1), Self.bandHeight, fill: color,
                     title: "\(lane.node) \(lane.instance.name): \(record.to) from \(UTCTime.timeOfDay(start)) for "
                        + "\(Self.seconds(stop - start)); entered from \(record.from): \(why)",
                     className: "state-\(record.to)")
            guard start >= range.lowerBound else { continue }
            // The change itself: a tick, a short cause, what it made the node run.
            out.line(x0, y + Self.bandTop - 3, x0, y + Self.bandTop + Self.bandHeight + 3, stroke: "#212529", width: 1)
            if let cause = record.cause, x0 - lastLabelX >= 56 {
                // Near the right edge the label ends at the tick instead of starting there.
                let atEnd = x0 > plotRight - 60
                out.text(atEnd ? x0 - 2 : x0 + 2, y + Self.bandTop - 3, cause, size: 9, fill: "#495057",
                         anchor: atEnd ? "end" : nil)
                lastLabelX = x0
            }
            if record.cause == "check" {
                out.polygon([(x0 - 5, y + 1), (x0 + 5, y + 1), (x0, y + 9)], fill: Self.checkColor,
                            title: "check failed at \(UTCTime.timestamp(start)): \(why)", className: "check-failed")
            }
            for (n, call) in (record.notifies ?? []).enumerated() {
                let duration = call.durationSeconds.map { " in \(Self.seconds($0))" } ?? ""
                out.circle(x0 + 4 + Double(n) * 7, y + Self.bandTop + Self.bandHeight + 6, 3,
                           fill: call.succeeded ? Self.notifyOK : Self.notifyFailed,
                           title: "notify \(call.command): \(call.result)\(duration)",
                           className: call.succeeded ? "notify-ok" : "notify-failed")
            }
        }
    }

    /// `850 ms`, `3.2 s`, `4 min 10 s`.
    static func seconds(_ s: Double) -> String {
        if s < 1 { return "\(Int((s * 1000).rounded())) ms" }
        if s < 60 { return "\(SVGWriter.number((s * 10).rounded() / 10)) s" }
        let whole = Int(s.rounded())
        return whole < 3600 ? "\(whole / 60) min \(whole % 60) s" : "\(whole / 3600) h \(whole / 60 % 60) min"
    }
}
