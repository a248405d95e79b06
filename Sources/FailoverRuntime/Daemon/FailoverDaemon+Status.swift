import FailoverTimeline
import FoundationEssentials

/// The `/status` document and the SIGUSR1/SIGUSR2 dumps.
public struct DaemonStatus: Sendable, Codable, Hashable {
    /// Wall-clock seconds since 1970 when the document was made (the end of the
    /// current state in `ipfailover timeline`).
    public var generatedAt: Double?
    public var instances: [InstanceSnapshot]
    public var scripts: [ScriptSnapshot]
    public var notify: NotifySnapshot
    public var nodeCounters: [String: UInt64]
}

public struct ScriptSnapshot: Sendable, Codable, Hashable {
    public var name: String
    /// `up`, `down`, `unknown`, or `disabled` (cannot run: tracked by no instance).
    public var state: String
    /// Why the script is disabled.
    public var disabledReason: String?
    /// Runs the daemon could not start for lack of its own resources (not results).
    public var notStarted: Int
    public var runs: Int
    public var failures: Int
    public var timeouts: Int
    public var lastDurationSeconds: Double?
    public var lastFailure: String?
    public var lastStderrTail: [String]
}

public struct NotifySnapshot: Sendable, Codable, Hashable {
    public var enqueued: Int
    public var completed: Int
    public var failures: Int
    public var timeouts: Int
    /// Changes dropped from a full per-instance queue (the newest is always delivered).
    public var dropped: Int
    /// Script starts that failed for lack of the daemon's own resources.
    public var notStarted: Int
}

extension FailoverDaemon {
    public func status() async -> DaemonStatus {
        let snapshot = await engine.snapshot()
        let notify = notifier.statistics
        return DaemonStatus(
            generatedAt: history.now(),
            instances: snapshot.instances,
            scripts: scriptStatus().map {
                ScriptSnapshot(name: $0.name, state: $0.displayState, disabledReason: $0.loadError.map { "\($0)" },
                               notStarted: $0.spawnFailures, runs: $0.runsCompleted, failures: $0.failures,
                               timeouts: $0.timeouts, lastDurationSeconds: $0.lastDuration?.seconds,
                               lastFailure: $0.lastFailure, lastStderrTail: $0.lastStderrTail)
            },
            notify: NotifySnapshot(enqueued: notify.enqueued, completed: notify.completed,
                                   failures: notify.scriptFailures, timeouts: notify.scriptTimeouts,
                                   dropped: notify.dropped, notStarted: notify.spawnFailures),
            nodeCounters: snapshot.nodeCounters)
    }

    /// `/status`: pretty, key-sorted JSON with the Swift property names as keys
    /// (camelCase, as Kubernetes objects), stable for diffs and tests.
    public func statusJSON() async -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return Array((try? encoder.encode(await status())) ?? Data("{}".utf8)) + [0x0A]
    }

    /// `/metrics`.
    public func metricsText() async -> [UInt8] {
        metrics.render(snapshot: await engine.snapshot(), scripts: scriptStatus(), notify: notifier.statistics,
                       healthy: await engine.isAlive())
    }

    /// `/healthz`: the engine runs and its timer is armed.
    public func isHealthy() async -> Bool { await engine.isAlive() }

    /// SIGUSR1: keepalived-style data dump of the live state: per instance its
    /// settings, trackers, split-brain and VRID-collision episodes and its transition
    /// history (UTC time, from -> to, reason, each notify call's result), one fact a
    /// line so that operators can grep it.
    public func dataDump() async -> String {
        let s = await status()
        var out = "------< VRRP Topology >------\n"
        for i in s.instances {
            out += " VRRP Instance = \(i.name)\n"
            if let g = i.syncGroup { out += "   Sync group = \(g)\n" }
            out += "   State = \(i.state)\n"
            out += "   Interface = \(i.interface)\n"
            out += "   Virtual Router ID = \(i.virtualRouterID)\n"
            out += "   Version = \(i.version)\n"
            out += "   Priority = \(i.effectivePriority) (base \(i.basePriority))\n"
            out += "   Master address = \(i.masterAddress ?? "unknown")\n"
            out += "   Advert interval = \(i.advertisementIntervalSeconds) sec\n"
            out += "   Virtual IP = \(i.virtualAddresses.count)\n"
            for v in i.virtualAddresses { out += "     \(v)\n" }
            for t in i.trackers { out += "   Tracked \(t.kind) = \(t.name) weight \(t.weight) \(t.status)\n" }
            if let t = i.lastTransition { out += "   Last transition = \(t.from) -> \(t.to) at +\(Self.milliseconds(t.atSeconds))s: \(t.reason)\n" }
            out += "   Split brain = \(Self.dumpLine(i.splitBrain))\n"
            out += "   VRID collision = \(Self.dumpLine(i.vridCollision))\n"
            out += "   Transitions = \(i.history.count) (oldest first, at most \(history.capacity))\n"
            for r in i.history {
                out += "     \(UTCTime.timestamp(r.time)) \(r.from) -> \(r.to) priority \(r.priority): \(StatusHistory.reason(r))\n"
                for call in r.notifies { out += "       Notify = \(StatusHistory.describe(call))\n" }
                if r.notifiesNotStored > 0 { out += "       Notify = +\(r.notifiesNotStored) more\n" }
            }
        }
        for script in s.scripts {
            out += " VRRP Script = \(script.name)\n   Status = \(script.state)\n   Runs = \(script.runs), failures \(script.failures), timeouts \(script.timeouts)\n"
        }
        return out
    }

    /// `active, peer 192.0.2.2 since +12.5s, episodes 1, adverts 5` or `none, episodes 0, adverts 0`.
    static func dumpLine(_ conflict: ConflictSnapshot) -> String {
        var state = "none"
        if conflict.active {
            state = "active, peer \(conflict.peer ?? "unknown")" + (conflict.sinceSeconds.map { " since +\(milliseconds($0))s" } ?? "")
        }
        return "\(state), episodes \(conflict.episodes), adverts \(conflict.adverts)"
    }

    /// Seconds to the millisecond: `12.5`, not `12.500000000000002`.
    static func milliseconds(_ seconds: Double) -> Double { (seconds * 1000).rounded() / 1000 }

    /// SIGUSR2: keepalived-style stats dump.
    public func statsDump() async -> String {
        let s = await status()
        var out = ""
        for i in s.instances {
            out += "VRRP Instance: \(i.name)\n"
            for (name, value) in i.counters.sorted(by: { $0.key < $1.key }) { out += "  \(name): \(value)\n" }
        }
        return out
    }
}
