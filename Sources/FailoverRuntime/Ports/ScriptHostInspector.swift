/// Port: what script preparation needs to know about the host — file metadata for
/// the executable/security checks and the uid/gid of `script_user`.
public protocol ScriptHostInspector: Sendable {
    /// stat(2) of `path` (following symlinks, as keepalived does), nil when it does not exist.
    func fileStatus(atPath path: String) -> FileStatus?
    /// Resolves a user (and optional group) name to ids; nil when unknown.
    func credentials(user: String, group: String?) -> ScriptCredentials?
    /// True when execve(2) can start the file itself: an ELF binary or a `#!` script.
    /// Anything else (e.g. a shell script without `#!`) goes through `/bin/sh -c`.
    func hasExecutableFormat(atPath path: String) -> Bool
}

/// The parts of `struct stat` the script checks use.
public struct FileStatus: Sendable, Hashable {
    public var ownerUID: UInt32
    public var ownerGID: UInt32
    /// Permission bits including setuid/setgid/sticky (`st_mode & 07777`).
    public var permissions: UInt32
    public var isRegularFile: Bool
    public var isDirectory: Bool

    public init(ownerUID: UInt32, ownerGID: UInt32, permissions: UInt32, isRegularFile: Bool, isDirectory: Bool) {
        self.ownerUID = ownerUID
        self.ownerGID = ownerGID
        self.permissions = permissions
        self.isRegularFile = isRegularFile
        self.isDirectory = isDirectory
    }
}
