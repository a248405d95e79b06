import Prometheus
import Synchronization

/// Every metric the daemon exports, declared in one place with its help text.
/// Counter names follow keepalived's stats (`keepalived_<stat>_total`, as the
/// common keepalived exporter publishes them) so existing dashboards map over;
/// labels `iname` (instance), `intf`, `vrid` likewise.
///
/// Counters live in the core's statistics and are rendered per scrape from a
/// snapshot; only the script-duration histogram needs state between scrapes.
public final class FailoverMetrics: Sendable {
    /// keepalived's VRRP stats, in the order of its stats file.
    static let instanceCounters: [(stat: String, help: String)] = [
        ("advert_rcvd", "Advertisements received"),
        ("advert_sent", "Advertisements sent"),
        ("become_master", "Transitions into MASTER"),
        ("release_master", "Transitions out of MASTER"),
        ("packet_len_err", "Packets dropped for a bad length"),
        ("advert_interval_err", "Advertisements with another advertisement interval"),
        ("ip_ttl_err", "Packets dropped for TTL/hop limit other than 255"),
        ("invalid_type_rcvd", "Packets dropped for a type other than advertisement"),
        ("addr_list_err", "Advertisements whose address list differs from ours"),
        ("invalid_authtype", "Packets dropped for an unknown auth type"),
        ("authtype_mismatch", "Packets dropped for another auth type"),
        ("auth_failure", "Packets dropped for a wrong password"),
        ("pri_zero_rcvd", "Priority-0 advertisements received"),
        ("pri_zero_sent", "Priority-0 advertisements sent"),
        ("vers_err", "Packets dropped for another VRRP version"),
        ("chk_err", "Packets dropped for a bad checksum"),
        ("unicast_peer_err", "Unicast packets dropped from a source that is not a unicast_peer"),
    ]

    /// Every per-instance counter, by its `/status` name: `/status` lists all of
    /// them from the start, as `/metrics` exports all of them.
    static var instanceCounterNames: [String] { instanceCounters.map(\.stat) }

    /// `keepalived_vrrp_state` values (keepalived's numbering).
    static let stateValues: [String: Double] = ["INIT": 0, "BACKUP": 1, "MASTER": 2, "FAULT": 3]

    private let durations = PrometheusCollectorRegistry()
    private let durationHistograms = Mutex<[String: DurationHistogram]>([:])

    /// Buckets for script run time: 1 ms … 30 s.
    static let durationBuckets: [Duration] = [
        .milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(50), .milliseconds(100),
        .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2), .seconds(5), .seconds(10), .seconds(30),
    ]

    public init() {}

    /// Records one check run (a script seen for the first time gets its histogram).
    public func recordCheckRun(script: String, duration: Duration) {
        let histogram = durationHistograms.withLock { histograms in
            if let h = histograms[script] { return h }
            let h = durations.makeDurationHistogram(
                descriptor: .named("ipfailover_check_script_duration_seconds",
                                   help: "Run time of each check script run, including timeouts"),
                labels: [("name", script)], buckets: Self.durationBuckets)
            histograms[script] = h
            return h
        }
        histogram.recordNanoseconds(duration.nanosecondsClamped)
    }

    /// The Prometheus text exposition of everything.
    /// `healthy`: what `/healthz` reports (`FailoverEngine.isAlive`); `keepalived_up`
    /// is 1 only then.
    public func render(snapshot: EngineSnapshot, scripts: [CheckScriptStatus], notify: NotifyDispatcher.Statistics,
                       healthy: Bool = true) -> [UInt8] {
        let registry = PrometheusCollectorRegistry()
        let up = registry.makeGauge(descriptor: .named("keepalived_up", help: "1 while the VRRP engine runs with its timer armed (as /healthz)"))
        up.set(healthy ? 1.0 : 0.0)
        registry.makeGauge(descriptor: .named("ipfailover_build_info", help: "Always 1; the version label is the daemon's release (ipfailover --version)"),
                           labels: [("version", BuildInfo.version)])
            .set(1.0)
        for instance in snapshot.instances {
            let labels = [("iname", instance.name), ("intf", instance.interface), ("vrid", String(instance.virtualRouterID))]
            registry.makeGauge(
                descriptor: .named("keepalived_vrrp_state", help: "VRRP state: 0 INIT, 1 BACKUP, 2 MASTER, 3 FAULT"),
                labels: labels)
                .set(Self.stateValues[instance.state] ?? 0)
            registry.makeGauge(
                descriptor: .named("ipfailover_effective_priority", help: "Priority after tracking, as carried in our adverts"),
                labels: labels)
                .set(Double(instance.effectivePriority))
            for (stat, help) in Self.instanceCounters {
                registry.makeCounter(descriptor: .named("keepalived_\(stat)_total", help: help), labels: labels)
                    .increment(by: Int64(clamping: instance.counters[stat] ?? 0))
            }
            registry.makeGauge(
                descriptor: .named("ipfailover_split_brain_active", help: "1 while another master advertises this VRID (episode not yet quiet)"),
                labels: labels)
                .set(instance.splitBrain.active ? 1.0 : 0.0)
            registry.makeCounter(
                descriptor: .named("ipfailover_split_brain_episodes_total", help: "Split-brain episodes: another master seen on this VRID, logged once each"),
                labels: labels)
                .increment(by: Int64(clamping: instance.splitBrain.episodes))
            registry.makeGauge(
                descriptor: .named("ipfailover_vrid_collision_active", help: "1 while adverts for this VRID carry another address list (episode not yet quiet)"),
                labels: labels)
                .set(instance.vridCollision.active ? 1.0 : 0.0)
            registry.makeCounter(
                descriptor: .named("ipfailover_vrid_collisions_total", help: "VRID-collision episodes: adverts for this VRID with another address list, logged once each"),
                labels: labels)
                .increment(by: Int64(clamping: instance.vridCollision.episodes))
        }
        for (stat, value) in snapshot.nodeCounters.sorted(by: { $0.key < $1.key }) {
            registry.makeCounter(
                descriptor: .named("ipfailover_dropped_packets_total", help: "Packets dropped before they could be matched to an instance"),
                labels: [("reason", stat)])
                .increment(by: Int64(clamping: value))
        }
        for script in scripts {
            let labels = [("name", script.name)]
            registry.makeGauge(
                descriptor: .named("keepalived_check_script_status", help: "Check script verdict after rise/fall: 1 up, 0 down or no result yet"),
                labels: labels)
                .set(script.state == .up ? 1.0 : 0.0)
            registry.makeCounter(
                descriptor: .named("ipfailover_check_script_failures_total", help: "Check runs that failed (non-zero exit, signal, timeout, refused)"),
                labels: labels)
                .increment(by: Int64(script.failures))
            registry.makeCounter(
                descriptor: .named("ipfailover_check_script_timeouts_total", help: "Check runs killed for exceeding their timeout"),
                labels: labels)
                .increment(by: Int64(script.timeouts))
            registry.makeGauge(
                descriptor: .named("ipfailover_check_script_disabled", help: "1 when the script cannot run (missing, not executable, refused, unparsable) and no instance tracks it"),
                labels: labels)
                .set(script.isDisabled ? 1.0 : 0.0)
            registry.makeCounter(
                descriptor: .named("ipfailover_check_script_not_started_total", help: "Check runs the daemon could not start for lack of its own resources (not counted as failures)"),
                labels: labels)
                .increment(by: Int64(script.spawnFailures))
        }
        registry.makeCounter(
            descriptor: .named("ipfailover_notify_completed_total", help: "Notify deliveries completed"))
            .increment(by: Int64(notify.completed))
        registry.makeCounter(descriptor: .named("ipfailover_notify_failures_total", help: "Notify scripts that failed"))
            .increment(by: Int64(notify.scriptFailures))
        registry.makeCounter(
            descriptor: .named("ipfailover_notify_timeouts_total", help: "Notify scripts killed for their timeout"))
            .increment(by: Int64(notify.scriptTimeouts))
        registry.makeCounter(
            descriptor: .named("ipfailover_notify_dropped_total", help: "Notifications dropped from a full per-instance queue (the newest state is always delivered)"))
            .increment(by: Int64(notify.dropped))
        registry.makeCounter(
            descriptor: .named("ipfailover_notify_not_started_total", help: "Notify script starts that failed for lack of the daemon's own resources"))
            .increment(by: Int64(notify.spawnFailures))
        registry.makeGauge(
            descriptor: .named("ipfailover_notify_outstanding", help: "Notifications waiting or running"))
            .set(Double(notify.outstanding) as Double)
        var out = registry.emitToBuffer()
        durations.emit(into: &out)
        return out
    }
}

extension MetricNameDescriptor {
    /// A metric named exactly `name` (the unit, if any, is already part of it).
    static func named(_ name: String, help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
    }
}

extension Duration {
    var nanosecondsClamped: Int64 {
        let c = components
        return c.seconds.multipliedReportingOverflow(by: 1_000_000_000).overflow
            ? .max : c.seconds * 1_000_000_000 + c.attoseconds / 1_000_000_000
    }
}
