/// A `vrrp_script`: a check run every `interval`; instances that track it change
/// priority or go to FAULT by its result (keepalived semantics).
public struct VRRPScript: Hashable, Sendable {
    /// The block's name, referenced by `track_script`.
    public var name: String
    /// `script`: the command line (a path plus arguments; exit 0 = OK).
    public var script: String
    /// `interval`: time between runs (default 1 s).
    public var interval: Duration
    /// `timeout`: a run lasting longer fails; nil = the interval (keepalived's default).
    public var timeout: Duration?
    /// `weight`: 0 = FAULT while failing; > 0 added while OK; < 0 added while failing (−253…253).
    public var weight: Int
    /// `weight … reverse`: the sign's meaning is swapped.
    public var weightReverse: Bool
    /// `rise`: consecutive successes to become OK (default 1).
    public var rise: Int
    /// `fall`: consecutive failures to become failing (default 1).
    public var fall: Int
    /// `user USER [GROUP]`: overrides `script_user` for this script.
    public var user: String?
    /// The group of `user`, when given.
    public var group: String?
    /// `init_fail`: start in the failed state instead of waiting for the first result.
    public var initFail: Bool

    public init(name: String, script: String, interval: Duration = .seconds(1), timeout: Duration? = nil,
                weight: Int = 0, weightReverse: Bool = false, rise: Int = 1, fall: Int = 1,
                user: String? = nil, group: String? = nil, initFail: Bool = false) {
        self.name = name
        self.script = script
        self.interval = interval
        self.timeout = timeout
        self.weight = weight
        self.weightReverse = weightReverse
        self.rise = rise
        self.fall = fall
        self.user = user
        self.group = group
        self.initFail = initFail
    }

    /// The timeout in force: `timeout`, or the interval.
    public var effectiveTimeout: Duration { timeout ?? interval }
}
