/// Problems with a configured script, each with the context needed for a precise log line.
public enum ScriptError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The command line cannot be split (text, reason).
    case commandLine(String, String)
    /// The program does not exist.
    case notFound(path: String)
    /// The program exists but the script user cannot execute it.
    case notExecutable(path: String, uid: UInt32, gid: UInt32)
    /// `enable_script_security`: a root script whose path has a component writable by non-root.
    case insecure(path: String, component: String, reason: String)
    /// `script_user` names an unknown user or group.
    case unknownUser(String)
    /// `enable_script_security` without `script_user`, and the default user
    /// `keepalived_script` does not exist: scripts would silently run as root.
    case noScriptUser
    /// interval/timeout below the 10 ms floor or otherwise unusable (field, reason).
    case invalidTiming(String, String)

    public var description: String {
        switch self {
        case let .commandLine(text, reason):
            "cannot parse script command '\(text)': \(reason)"
        case let .notFound(path):
            "script '\(path)' does not exist"
        case let .notExecutable(path, uid, gid):
            "script '\(path)' is not executable for uid:gid \(uid):\(gid)"
        case let .insecure(path, component, reason):
            "refusing script '\(path)': it would run as root but path component '\(component)' \(reason) (enable_script_security)"
        case let .unknownUser(name):
            "script user '\(name)' does not exist"
        case .noScriptUser:
            "enable_script_security is set, but no script_user is configured and the default user 'keepalived_script' does not exist"
        case let .invalidTiming(field, reason):
            "invalid \(field): \(reason)"
        }
    }
}
