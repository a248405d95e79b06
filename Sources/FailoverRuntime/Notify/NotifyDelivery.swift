/// What the dispatcher did for one notification (one per command, one per FIFO line):
/// logged, counted and kept in the transition history.
public enum NotifyDelivery {
    public enum Action: Sendable, Hashable {
        /// A script ran (argv as launched) and ended like this.
        case script(arguments: [String], outcome: LaunchOutcome)
        /// A script could not run (missing, refused, unparsable).
        case refused(ScriptError)
        /// A line was written to the FIFO (`written == false`: dropped, e.g. pipe full).
        case fifo(path: String, line: String, written: Bool)
    }
}
