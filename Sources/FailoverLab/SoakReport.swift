import FoundationEssentials

/// The soak's outcome, printed for a person and written as JSON for machines.
public struct SoakReport: Sendable, Codable {
    /// One broken invariant, with the time window (seconds since the soak started) it was seen in.
    public struct Violation: Sendable, Codable, Hashable {
        /// The event index (-1: the initial election).
        public var event: Int
        /// The fault that preceded it, e.g. `kill9 b`.
        public var fault: String
        public var invariant: String
        public var detail: String
        public var windowStart: Double
        public var windowEnd: Double
        /// The SVG timeline of the window, when the soak drew one.
        public var timeline: String?
    }

    /// Descriptor and memory samples of one daemon incarnation (the longest of the node).
    public struct Resources: Sendable, Codable, Hashable {
        public var samples: Int
        public var fdsFirst: Int, fdsLast: Int, fdsMax: Int
        public var rssFirstKiB: Int, rssLastKiB: Int, rssMaxKiB: Int
        /// RSS at the start, a quarter, half and three quarters of the way, and the end
        /// of the samples: whether growth levels off or goes on.
        public var rssQuartersKiB: [Int]

        /// The quarter points of `rssKiB` (first, ¼, ½, ¾, last).
        public static func quarters(_ rssKiB: [Int]) -> [Int] {
            guard !rssKiB.isEmpty else { return [] }
            return (0...4).map { rssKiB[(rssKiB.count - 1) * $0 / 4] }
        }
    }

    /// Times from the end of a fault to a settled, stable cluster.
    public struct Reconvergence: Sendable, Codable, Hashable {
        public var count: Int
        public var p50Milliseconds: Int, p99Milliseconds: Int, maxMilliseconds: Int

        public init(samples: [Duration]) {
            let ms = samples.map { Int($0.components.seconds * 1000 + $0.components.attoseconds / 1_000_000_000_000_000) }.sorted()
            count = ms.count
            func at(_ q: Double) -> Int { ms.isEmpty ? 0 : ms[min(ms.count - 1, Int((Double(ms.count - 1) * q).rounded()))] }
            p50Milliseconds = at(0.5)
            p99Milliseconds = at(0.99)
            maxMilliseconds = ms.last ?? 0
        }
    }

    public var seed: UInt64
    public var eventsRequested: Int
    public var eventsRun: Int
    /// Node name → implementation (ipfailover or keepalived).
    public var nodes: [String: String]
    public var instances: [String]
    /// Fault kind → times applied.
    public var faults: [String: Int]
    /// Fault kind → times skipped (the machine cannot do it, e.g. no netem), with the reason.
    public var skipped: [String: String]
    public var violations: [Violation]
    /// Quiet periods in which a settled cluster's VIP got no answer at all (a client
    /// outage, e.g. a neighbour entry left on the previous holder): reported, not a violation.
    public var quietOutages: [Violation]
    public var reconvergence: Reconvergence
    /// The same per fault kind.
    public var reconvergenceByFault: [String: Reconvergence]
    /// Node name → resources of its longest-lived daemon incarnation (ipfailover nodes).
    public var resources: [String: Resources]
    public var durationSeconds: Double
    /// True when the run was interrupted before all events ran.
    public var interrupted: Bool

    /// The JSON document (sorted keys, indented).
    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    /// `x` with one decimal.
    static func tenths(_ x: Double) -> String {
        let t = Int((x * 10).rounded())
        return "\(t / 10).\(abs(t % 10))"
    }

    /// The lines a person reads.
    public var humanSummary: [String] {
        var lines = ["soak seed \(seed): \(eventsRun)/\(eventsRequested) events in \(Int(durationSeconds)) s, "
                     + "nodes " + nodes.keys.sorted().map { "\($0)=\(nodes[$0]!)" }.joined(separator: " ")
                     + ", instances \(instances.joined(separator: " "))" + (interrupted ? " (interrupted)" : "")]
        lines.append("  faults: " + faults.keys.sorted().map { "\($0)×\(faults[$0]!)" }.joined(separator: " "))
        for (kind, reason) in skipped.sorted(by: { $0.key < $1.key }) { lines.append("  skipped \(kind): \(reason)") }
        lines.append("  reconvergence (fault end → one stable MASTER per VRID holding its VIPs): n=\(reconvergence.count) "
                     + "p50 \(reconvergence.p50Milliseconds) ms, p99 \(reconvergence.p99Milliseconds) ms, max \(reconvergence.maxMilliseconds) ms")
        for (kind, r) in reconvergenceByFault.sorted(by: { $0.key < $1.key }) {
            lines.append("    \(kind): n=\(r.count) p50 \(r.p50Milliseconds) ms, p99 \(r.p99Milliseconds) ms, max \(r.maxMilliseconds) ms")
        }
        for (node, r) in resources.sorted(by: { $0.key < $1.key }) {
            lines.append("  \(node): \(r.samples) samples, fds first/last/max \(r.fdsFirst)/\(r.fdsLast)/\(r.fdsMax), "
                         + "RSS first/last/max \(r.rssFirstKiB)/\(r.rssLastKiB)/\(r.rssMaxKiB) KiB, "
                         + "by quarter \(r.rssQuartersKiB.map(String.init).joined(separator: " → ")) KiB")
        }
        lines.append("  client outages in quiet periods (VIP answered by nobody; not a violation): \(quietOutages.count)")
        for v in quietOutages.prefix(10) { lines.append("    event \(v.event) (\(v.fault)): \(v.detail)") }
        lines.append("  violations: \(violations.count)")
        for v in violations.prefix(50) {
            lines.append("    event \(v.event) (\(v.fault)) [\(Self.tenths(v.windowStart))–\(Self.tenths(v.windowEnd)) s] \(v.invariant): \(v.detail)"
                         + (v.timeline.map { " (timeline: \($0))" } ?? ""))
        }
        return lines
    }
}
