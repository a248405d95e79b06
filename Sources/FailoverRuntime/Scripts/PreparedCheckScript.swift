import VRRPWire

/// What a check run does.
public enum CheckProbe: Sendable, Hashable {
    /// Spawn the script.
    case process(LaunchRequest)
    /// Native TCP connect (env mode's default check).
    case tcpConnect(address: IPAddress, port: UInt16, timeout: Duration)
    /// Nothing to check (monitor port 0, `true`).
    case alwaysSucceeds
    /// The script cannot run (unparsable, missing, not executable, refused by script
    /// security, unknown user): it is disabled — never run, and no instance tracks
    /// it — as keepalived does ("Disabling track script …").
    case disabled(ScriptError)
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

    /// The load-time error that disabled the script, if any.
    public var loadError: ScriptError? {
        if case .disabled(let error) = probe { return error }
        return nil
    }

    /// True when the script is disabled (see `CheckProbe.disabled`).
    public var isDisabled: Bool { loadError != nil }
}
