/// Counters the core never sees — packets dropped before they reach an instance
/// (keyed by keepalived's stats names) — per instance when the event could be
/// attributed to one, else under the node.
struct RuntimeCounters: Sendable {
    private(set) var perInstance: [String: [String: UInt64]] = [:]
    private(set) var node: [String: UInt64] = [:]

    mutating func record(_ counter: String, instance: String?) {
        if let instance {
            perInstance[instance, default: [:]][counter, default: 0] += 1
        } else {
            node[counter, default: 0] += 1
        }
    }
}

/// At most one log line per key and interval; counts what it held back.
struct RateLimitedLog: Sendable {
    let interval: Duration
    private var last: [String: Duration] = [:]
    private var suppressed: [String: Int] = [:]

    init(interval: Duration) { self.interval = interval }

    /// nil: stay quiet. Otherwise the number of lines suppressed since the last one.
    mutating func admit<I: InstantProtocol>(key: String, at now: I, origin: I) -> Int? where I.Duration == Duration {
        let t = origin.duration(to: now)
        if let previous = last[key], t - previous < interval {
            suppressed[key, default: 0] += 1
            return nil
        }
        last[key] = t
        defer { suppressed[key] = 0 }
        return suppressed[key] ?? 0
    }
}
