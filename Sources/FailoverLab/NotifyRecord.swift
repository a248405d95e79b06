/// One line of `mynotifyscript.sh`'s log: `<timestamp> <type> <name> <state> <priority>`.
public struct NotifyRecord: Sendable, Hashable, CustomStringConvertible {
    /// The script's UTC timestamp (RFC 3339 with milliseconds).
    public var timestamp: String
    /// INSTANCE or GROUP.
    public var type: String
    /// The instance or sync-group name.
    public var name: String
    /// MASTER, BACKUP, FAULT or STOP.
    public var state: String
    /// The priority argument.
    public var priority: Int

    /// Parses one log line; nil when it does not have the five fields.
    public init?(line: some StringProtocol) {
        let fields = line.split(separator: " ")
        guard fields.count == 5, let priority = Int(fields[4]) else { return nil }
        timestamp = String(fields[0])
        type = String(fields[1])
        name = String(fields[2])
        state = String(fields[3])
        self.priority = priority
    }

    /// Every record in a log's text, in order.
    public static func parse(_ text: String) -> [NotifyRecord] {
        text.split(separator: "\n").compactMap { NotifyRecord(line: $0) }
    }

    /// The notify arguments: `INSTANCE name STATE priority`.
    public var arguments: String { "\(type) \(name) \(state) \(priority)" }

    public var description: String { "\(timestamp) \(arguments)" }
}
