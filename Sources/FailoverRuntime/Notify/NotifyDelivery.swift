/// What the dispatcher did for one notification (one per command, one per FIFO line).
public struct NotifyDelivery: Sendable, Hashable {
    public enum Action: Sendable, Hashable {
        /// A script ran (argv as launched) and ended like this.
        case script(arguments: [String], outcome: LaunchOutcome)
        /// A script could not run (missing, refused, unparsable).
        case refused(ScriptError)
        /// A line was written to the FIFO (`written == false`: dropped, e.g. pipe full).
        case fifo(path: String, line: String, written: Bool)
    }

    public var notification: NotifyEvent
    public var action: Action
}
