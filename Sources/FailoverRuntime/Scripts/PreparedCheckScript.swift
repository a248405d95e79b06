import VRRPWire

/// What a check run does.
public enum CheckProbe: Sendable, Hashable {
    /// Spawn the script.
    case process(LaunchRequest)
    /// Native TCP connect (env mode's default check).
    case tcpConnect(address: IPAddress, port: UInt16, timeout: Duration)
    /// Nothing to check (monitor port 0, `true`).
    case alwaysSucceeds
    /// The script cannot run (missing, refused by script security…): every run fails.
    case alwaysFails(ScriptError)
}

/// A `vrrp_script` ready for the scheduler, with the problems found at load.
public struct PreparedCheckScript: Sendable, Hashable {
    public var spec: CheckScriptSpec
    public var probe: CheckProbe
    /// Problems that do not stop the script (reported once at load).
    public var warnings: [ScriptError]

    public init(spec: CheckScriptSpec, probe: CheckProbe, warnings: [ScriptError] = []) {
        self.spec = spec
        self.probe = probe
        self.warnings = warnings
    }

    /// The load-time error that makes every run fail, if any.
    public var loadError: ScriptError? {
        if case .alwaysFails(let error) = probe { return error }
        return nil
    }
}
