import Logging

/// Puts what a script wrote into the daemon's log: one entry per line, with the
/// script's name and the stream as metadata (`script.stream`), bounded by the
/// launcher's per-run line limit. keepalived sends script output to /dev/null; we
/// keep it, because a notify or check script's own words are the fastest way to
/// learn why it did what it did.
public enum ScriptOutputLog {
    /// Logs `outcome.output`. Check scripts run every interval, so their output is
    /// logged at `info` only for a failed run (next to the failure) and at `debug`
    /// otherwise; notify scripts always at `info`.
    public static func log(
        _ outcome: LaunchOutcome, of name: String, failed: Bool, isCheck: Bool = true,
        metadata: Logger.Metadata, to logger: Logger
    ) {
        let level: Logger.Level = (failed || !isCheck) ? .info : .debug
        guard logger.logLevel <= level else { return }
        for line in outcome.output {
            var lineMetadata = metadata
            lineMetadata["script.stream"] = "\(line.stream.rawValue)"
            logger.log(level: level, "\(name) \(line.stream.rawValue): \(line.text)", metadata: lineMetadata)
        }
        if outcome.outputLinesDropped > 0 {
            logger.log(level: level, "\(name): \(outcome.outputLinesDropped) more output line(s) not logged",
                       metadata: metadata)
        }
    }
}
