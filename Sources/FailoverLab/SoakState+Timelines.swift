import FailoverTimeline
import Glibc

extension SoakState {
    /// At most this many timelines per run: a soak that breaks on every event
    /// needs the first pictures, not hundreds of files.
    static let maximumTimelines = 50

    /// Seconds of history shown before a violation's window (the fault before it).
    static let timelineLead = 10.0

    /// Draws each violation recorded since the last call: every live ipfailover
    /// node's `/status` now (their histories reach back over the window), cut to the
    /// window with `timelineLead` before it and the window shaded. The path goes into
    /// the violation and the output.
    func drawViolationTimelines() async {
        guard let directory = options.timelineDirectory else {
            violationsDrawn = violations.count
            return
        }
        while violationsDrawn < violations.count {
            let index = violationsDrawn
            violationsDrawn += 1
            guard index < Self.maximumTimelines else { continue }
            let v = violations[index]
            var sources: [TimelineSource] = []
            for name in names where !isKeepalived(name) {
                guard let daemon = daemons[name], let process = daemon.process, process.exitStatusIfEnded == nil,
                      let body = try? await daemon.statusDocument(),
                      let document = try? TimelineDocument.decode(body, source: name) else { continue }
                sources.append(TimelineSource(label: name, document: document))
            }
            let start = startedWall + v.windowStart, end = startedWall + max(v.windowEnd, v.windowStart)
            let renderer = TimelineRenderer(
                title: "soak seed \(options.seed), event \(v.event) (\(v.fault)): \(v.invariant)",
                window: (start - Self.timelineLead)...(end + 2),
                highlights: [.init(start: start, end: end, label: "violation \(index + 1): \(v.invariant)")])
            let path = "\(directory)/ipfailover-soak-\(options.seed)-violation-\(index + 1).svg"
            do {
                try LabFile.write(renderer.svg(sources), to: path)
                violations[index].timeline = path
                output("  timeline of violation \(index + 1): \(path)")
            } catch {
                output("  cannot write the timeline of violation \(index + 1) to \(path): \(error)")
            }
        }
    }

    static func wallClockNow() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }
}
