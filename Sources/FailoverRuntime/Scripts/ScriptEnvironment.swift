/// The environment scripts run with: the daemon's, minus what lets a caller hijack a
/// root script (`LD_PRELOAD`, `LD_LIBRARY_PATH` and every other `LD_*`, `IFS`), with
/// a safe default `PATH` when none is set.
public enum ScriptEnvironment {
    /// `PATH` when the daemon has none.
    public static let defaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

    public static func sanitised(_ base: [String: String]) -> [String: String] {
        var env = base.filter { key, _ in !key.hasPrefix("LD_") && key != "IFS" }
        if env["PATH"]?.isEmpty ?? true { env["PATH"] = defaultPath }
        return env
    }
}
