import Logging
import Synchronization

/// What the status endpoint refused or cut short, shared by every connection (they
/// may live on different event loops) and exported on `/metrics`. Refusals are
/// logged once per episode: the first connection refused after a quiet spell gets
/// a warning, and the end of the episode a notice with how many were refused.
public final class StatusServerCounters: Sendable {
    /// Why an accepted connection was closed before its client was done with it.
    public enum Timeout: String, Sendable, CaseIterable {
        case idle, header, body, write
    }

    /// Why a request was refused.
    public enum Rejection: String, Sendable, CaseIterable {
        case tooLarge = "too_large"
        case malformed
    }

    /// A snapshot of every counter.
    public struct Snapshot: Sendable, Equatable {
        /// Connections open right now.
        public var open = 0
        /// Connections accepted and closed at once because `open` was at the cap.
        public var refused = 0
        /// Connections closed by a timeout, by phase.
        public var timedOut: [Timeout: Int] = [:]
        /// Requests refused, by reason.
        public var rejected: [Rejection: Int] = [:]
    }

    private struct State {
        var snapshot = Snapshot()
        /// Connections refused since the episode's warning.
        var refusedInEpisode = 0
    }

    /// The connection cap, for the gauge and the log lines.
    public let maxConnections: Int
    private let state = Mutex(State())
    private let logger: Logger

    public init(maxConnections: Int, logger: Logger) {
        self.maxConnections = maxConnections
        self.logger = logger
    }

    public var snapshot: Snapshot { state.withLock { $0.snapshot } }

    /// Takes a connection slot; false when all `maxConnections` are taken (the
    /// refusal is counted).
    func admit() -> Bool {
        let (admitted, startsEpisode) = state.withLock { s -> (Bool, Bool) in
            if s.snapshot.open < maxConnections {
                s.snapshot.open += 1
                return (true, false)
            }
            s.snapshot.refused += 1
            s.refusedInEpisode += 1
            return (false, s.refusedInEpisode == 1)
        }
        if startsEpisode {
            logger.warning("status endpoint: \(maxConnections) connections open, refusing more until some close")
        }
        return admitted
    }

    /// Gives a connection slot back.
    func release() {
        let endedEpisode = state.withLock { s -> Int in
            s.snapshot.open -= 1
            // Half the slots free again ends an episode, so that a client hovering
            // at the cap does not log a line per connection.
            guard s.refusedInEpisode > 0, s.snapshot.open <= maxConnections / 2 else { return 0 }
            defer { s.refusedInEpisode = 0 }
            return s.refusedInEpisode
        }
        if endedEpisode > 0 {
            logger.notice("status endpoint: accepting connections again; \(endedEpisode) refused at the cap of \(maxConnections)")
        }
    }

    func timedOut(_ phase: Timeout) {
        state.withLock { $0.snapshot.timedOut[phase, default: 0] += 1 }
    }

    func rejected(_ reason: Rejection) {
        state.withLock { $0.snapshot.rejected[reason, default: 0] += 1 }
    }

    /// The counters in Prometheus text format, appended to the daemon's `/metrics`.
    public func metricsText() -> [UInt8] {
        let s = snapshot
        var out = """
        # HELP ipfailover_status_connections_open Connections to the status endpoint open now
        # TYPE ipfailover_status_connections_open gauge
        ipfailover_status_connections_open \(s.open)
        # HELP ipfailover_status_connections_max Connections the status endpoint serves at once
        # TYPE ipfailover_status_connections_max gauge
        ipfailover_status_connections_max \(maxConnections)
        # HELP ipfailover_status_connections_refused_total Connections closed on accept because the cap was reached
        # TYPE ipfailover_status_connections_refused_total counter
        ipfailover_status_connections_refused_total \(s.refused)
        # HELP ipfailover_status_connections_timed_out_total Connections closed by a timeout, by phase
        # TYPE ipfailover_status_connections_timed_out_total counter

        """
        for phase in Timeout.allCases {
            out += "ipfailover_status_connections_timed_out_total{phase=\"\(phase.rawValue)\"} \(s.timedOut[phase] ?? 0)\n"
        }
        out += """
        # HELP ipfailover_status_requests_rejected_total Requests refused as too large or malformed
        # TYPE ipfailover_status_requests_rejected_total counter

        """
        for reason in Rejection.allCases {
            out += "ipfailover_status_requests_rejected_total{reason=\"\(reason.rawValue)\"} \(s.rejected[reason] ?? 0)\n"
        }
        return Array(out.utf8)
    }
}
