import FailoverTimeline

/// The transitions `ipfailover status --history` prints: every instance's, by time.
/// The SIGUSR1 data dump describes each record with the same words.
public enum StatusHistory {
    public static func render(_ status: DaemonStatus) -> String {
        let records = status.instances.flatMap { instance in instance.history.map { (instance.name, $0) } }
            .sorted { ($0.1.time, $0.1.sequence) < ($1.1.time, $1.1.sequence) }
        guard !records.isEmpty else { return "no transitions recorded\n" }
        var rows = [["TIME (UTC)", "INSTANCE", "CHANGE", "REASON", "NOTIFY"]]
        for (name, r) in records {
            rows.append([UTCTime.timestamp(r.time), name, "\(r.from)→\(r.to)", reason(r), notifies(r)])
        }
        return StatusTable.table(rows)
    }

    /// The reason, followed by its detail when it has one (`check chk_web failed: `
    /// and the failed run's exit status, duration and stderr tail).
    public static func reason(_ record: TransitionRecord) -> String {
        record.detail.map { "\(record.reason): \($0)" } ?? record.reason
    }

    /// `notify.sh exit 0 (12 ms); fifo /run/ka.fifo written`, `-` for none (yet).
    public static func notifies(_ record: TransitionRecord) -> String {
        guard !record.notifies.isEmpty else { return "-" }
        var parts = record.notifies.map(describe)
        if record.notifiesNotStored > 0 { parts.append("+\(record.notifiesNotStored) more") }
        return parts.joined(separator: "; ")
    }

    /// One call: the program's file name (or `fifo PATH`), its result, duration and,
    /// when it failed, its stderr tail.
    public static func describe(_ call: NotifyCallRecord) -> String {
        let words = call.command.split(separator: " ")
        let program = words.first.map { String($0.split(separator: "/").last ?? $0) } ?? "-"
        let command = words.first == "fifo" ? call.command : program
        let duration = call.durationSeconds.map { " (\(Int(($0 * 1000).rounded())) ms)" } ?? ""
        let stderr = !call.succeeded && !call.stderrTail.isEmpty ? " stderr: " + call.stderrTail.joined(separator: " | ") : ""
        return "\(command) \(call.result)\(duration)\(stderr)"
    }
}
