/// A `vrrp_script` block as the runtime needs it (the integrator maps FailoverConfig's
/// model onto this).
public struct CheckScriptSpec: Sendable, Hashable {
    /// `vrrp_script <name>`: the name instances track.
    public var name: String
    /// `script`: the command line, split later with keepalived's rules.
    public var commandLine: String
    /// `interval`: time between run starts (fractions allowed, ≥ 10 ms). keepalived default 1 s.
    public var interval: Duration
    /// `timeout`: a run still going after this is a failure; nil = `interval`.
    public var timeout: Duration?
    /// `rise`: consecutive successes needed to go from down to up.
    public var rise: Int
    /// `fall`: consecutive failures needed to go from up to down.
    public var fall: Int
    /// `weight`: priority adjustment; 0 = the instance goes FAULT while down (core's business).
    public var weight: Int
    /// `user`/`script_user`: user (and group) to run as; nil = the default script user.
    public var user: ScriptUser?
    /// `init_fail`: the script starts down instead of pending.
    public var initFail: Bool

    public init(
        name: String, commandLine: String, interval: Duration = .seconds(1), timeout: Duration? = nil,
        rise: Int = 1, fall: Int = 1, weight: Int = 0, user: ScriptUser? = nil, initFail: Bool = false
    ) {
        self.name = name
        self.commandLine = commandLine
        self.interval = interval
        self.timeout = timeout
        self.rise = rise
        self.fall = fall
        self.weight = weight
        self.user = user
        self.initFail = initFail
    }

    /// The timeout in effect (keepalived: defaults to the interval).
    public var effectiveTimeout: Duration { timeout ?? interval }

    /// Shortest interval/timeout we schedule.
    public static let minimumInterval: Duration = .milliseconds(10)
}

/// `script_user <user> [<group>]`.
public struct ScriptUser: Sendable, Hashable {
    public var user: String
    public var group: String?

    public init(user: String, group: String? = nil) {
        self.user = user
        self.group = group
    }
}
