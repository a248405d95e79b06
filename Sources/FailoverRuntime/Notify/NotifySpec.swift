/// The notify settings of one instance or sync group (as configured; the integrator
/// maps FailoverConfig's model onto this).
public struct NotifySpec: Sendable, Hashable {
    /// `notify_master`: command line, gets only its configured arguments.
    public var master: String?
    /// `notify_backup`.
    public var backup: String?
    /// `notify_fault`.
    public var fault: String?
    /// `notify_stop`.
    public var stop: String?
    /// `notify`: configured arguments + `INSTANCE|GROUP name STATE priority`.
    public var generic: String?
    /// `notify_fifo` path (global or per instance); lines `INSTANCE "name" STATE prio`.
    public var fifoPath: String?
    /// `notify … user`/`script_user` for these scripts.
    public var user: ScriptUser?

    public init(
        master: String? = nil, backup: String? = nil, fault: String? = nil, stop: String? = nil,
        generic: String? = nil, fifoPath: String? = nil, user: ScriptUser? = nil
    ) {
        self.master = master
        self.backup = backup
        self.fault = fault
        self.stop = stop
        self.generic = generic
        self.fifoPath = fifoPath
        self.user = user
    }

    /// The state-specific command line for `state`.
    public func stateScript(for state: NotifyEvent.State) -> String? {
        switch state {
        case .master: master
        case .backup: backup
        case .fault: fault
        case .stop: stop
        }
    }

    /// The command lines to run for a change, in keepalived's order: the
    /// state-specific script (configured args only), then the generic `notify`
    /// (configured args + the four notify arguments). Each is split with keepalived's rules.
    public func commands(for notification: NotifyEvent) throws(ScriptError) -> [ScriptCommand] {
        var result: [ScriptCommand] = []
        if let line = stateScript(for: notification.state) {
            result.append(try ScriptCommand(parsing: line))
        }
        if let line = generic {
            var command = try ScriptCommand(parsing: line)
            command.words += notification.notifyArguments
            result.append(command)
        }
        return result
    }
}
