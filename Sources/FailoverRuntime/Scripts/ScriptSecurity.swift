/// keepalived's `enable_script_security` rule (`check_security`): a script that runs
/// as root (uid 0 or gid 0) must not have any path component — `/`, each directory,
/// the file — that a non-root user could replace: owned by non-root, or writable by a
/// non-root group or by others (a sticky directory such as `/tmp` is allowed).
public enum ScriptSecurity {
    /// Every prefix of an absolute path, starting with `/`.
    public static func components(of path: String) -> [String] {
        var result = ["/"]
        var current = ""
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            current += "/" + part
            result.append(current)
        }
        return result
    }

    /// True when running `status`'s file needs the root-script protection.
    public static func needsProtection(file: FileStatus, credentials: ScriptCredentials) -> Bool {
        if credentials.uid == 0 || credentials.gid == 0 { return true }
        let setuidRoot = file.ownerUID == 0 && file.permissions & 0o4100 == 0o4100
        let setgidRoot = file.ownerGID == 0 && file.permissions & 0o2010 == 0o2010
        return setuidRoot || setgidRoot
    }

    /// The first unsafe component of `path` and why, or nil when every component is safe.
    public static func firstUnsafeComponent(
        of path: String, inspector: some ScriptHostInspector
    ) -> (component: String, reason: String)? {
        for component in components(of: path) {
            guard let status = inspector.fileStatus(atPath: component) else {
                return (component, "cannot be inspected")
            }
            if let reason = unsafeReason(status) { return (component, reason) }
        }
        return nil
    }

    /// Why one component is unsafe, or nil.
    public static func unsafeReason(_ status: FileStatus) -> String? {
        let mode = "mode " + String(status.permissions, radix: 8)
        if status.ownerUID != 0 {
            return "is owned by non-root uid \(status.ownerUID) (\(mode))"
        }
        let stickyDirectory = status.isDirectory && status.permissions & 0o1000 != 0
        if stickyDirectory && !status.isRegularFile { return nil }
        if status.permissions & 0o002 != 0 {
            return "is writable by others (\(mode))"
        }
        if status.ownerGID != 0, status.permissions & 0o020 != 0 {
            return "is writable by non-root group gid \(status.ownerGID) (\(mode))"
        }
        return nil
    }

    /// keepalived's `is_executable` for the script's credentials.
    public static func isExecutable(_ file: FileStatus, by credentials: ScriptCredentials) -> Bool {
        let p = file.permissions
        if credentials.uid == 0 { return p & 0o111 != 0 }
        if credentials.uid == file.ownerUID { return p & 0o100 != 0 }
        if credentials.gid == file.ownerGID { return p & 0o010 != 0 }
        return p & 0o001 != 0
    }
}
