/// One `track_script` entry of an instance, with the `vrrp_script` settings that
/// decide when it counts as up or down.
public struct TrackedScript: Hashable, Sendable {
    /// The `vrrp_script` name; check results are reported under it.
    public var name: String
    /// -253…253. 0: the instance is FAULT while the script is down. > 0: added to the
    /// priority while up. < 0: subtracted while down.
    public var weight: Int
    /// keepalived `reverse`: the script's sense is inverted (a success counts as down).
    public var reverse: Bool
    /// Consecutive successes needed to go from down to up.
    public var rise: Int
    /// Consecutive failures needed to go from up to down.
    public var fall: Int
    /// keepalived `init_fail`: start down instead of "no result yet".
    public var initFail: Bool

    public init(name: String, weight: Int = 0, reverse: Bool = false, rise: Int = 1, fall: Int = 1, initFail: Bool = false) {
        self.name = name
        self.weight = weight
        self.reverse = reverse
        self.rise = rise
        self.fall = fall
        self.initFail = initFail
    }
}

/// One `track_interface` entry: the instance follows this link's state.
public struct TrackedInterface: Hashable, Sendable {
    /// Interface name as the kernel reports it.
    public var name: String
    /// 0: FAULT while the link is down; otherwise the same rules as a script weight.
    public var weight: Int
    /// keepalived `reverse`: a link that is up counts as down.
    public var reverse: Bool

    public init(name: String, weight: Int = 0, reverse: Bool = false) {
        self.name = name
        self.weight = weight
        self.reverse = reverse
    }
}
