/// One kind of fault the soak injects; each is applied, held for a while, then healed
/// (a killed daemon restarted, a link brought back, a rule removed, a check passing).
public enum SoakFault: String, Sendable, CaseIterable, Codable {
    /// SIGKILL, then a restart: no release, the VIPs stay until the new process cleans them.
    case kill9
    /// SIGTERM (a graceful release), then a restart.
    case termRestart
    /// The node's own interface down, then up.
    case linkFlap
    /// The node cut off the segment (its bridge port leaves the bridge), then back.
    case partition
    /// 10–50 % of the node's frames dropped on the bridge.
    case packetLoss
    /// 20–80 ms delay on the node's interface (tc netem, where the kernel has it).
    case delay
    /// The check script fails, then passes again.
    case checkFail
    /// The check script hangs (past its timeout), then passes again.
    case checkHang
    /// SIGHUP with the configuration unchanged.
    case reloadSame
    /// SIGHUP with one instance's priority changed.
    case reloadChanged
    /// SIGHUP with a configuration that does not parse, then the good one back and SIGHUP.
    case reloadBroken
    /// Five SIGHUPs 20 ms apart.
    case reloadBurst

    /// Faults that act on the daemon process: never aimed at the node whose daemon
    /// lives through the whole run (its descriptors and memory are the run's drift figures).
    var stopsDaemon: Bool { self == .kill9 || self == .termRestart }

    /// Faults that only ipfailover nodes get (keepalived's own reload and crash handling is not under test).
    var ipfailoverOnly: Bool { self == .kill9 || self == .reloadBroken || self == .reloadChanged }
}
