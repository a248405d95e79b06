import FailoverRuntime
import Glibc

/// `ScriptHostInspector` on the real filesystem and user database.
public struct LinuxScriptHostInspector: ScriptHostInspector {
    public init() {}

    public func fileStatus(atPath path: String) -> FileStatus? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        let type = st.st_mode & S_IFMT
        return FileStatus(
            ownerUID: st.st_uid, ownerGID: st.st_gid, permissions: UInt32(st.st_mode & 0o7777),
            isRegularFile: type == S_IFREG, isDirectory: type == S_IFDIR)
    }

    public func credentials(user: String, group: String?) -> ScriptCredentials? {
        var pwd = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 16384)
        guard getpwnam_r(user, &pwd, &buffer, buffer.count, &result) == 0, result != nil else { return nil }
        var gid = pwd.pw_gid
        if let group {
            var grp = group_struct()
            var groupResult: UnsafeMutablePointer<group_struct>?
            var groupBuffer = [CChar](repeating: 0, count: 16384)
            guard getgrnam_r(group, &grp, &groupBuffer, groupBuffer.count, &groupResult) == 0,
                  groupResult != nil else { return nil }
            gid = grp.gr_gid
        }
        return ScriptCredentials(uid: pwd.pw_uid, gid: gid)
    }

    public func hasExecutableFormat(atPath path: String) -> Bool {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var magic = [UInt8](repeating: 0, count: 4)
        let n = read(fd, &magic, 4)
        if n >= 2, magic[0] == UInt8(ascii: "#"), magic[1] == UInt8(ascii: "!") { return true }
        return n == 4 && magic == [0x7F, 0x45, 0x4C, 0x46]
    }
}

typealias group_struct = Glibc.group
