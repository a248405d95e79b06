import Glibc

/// Reads the process table from /proc (for leftover detection and for tests that
/// prove a group is gone).
public enum ProcessTable {
    /// One process as /proc/<pid>/stat describes it.
    public struct Entry: Sendable, Hashable {
        public var pid: Int32
        /// Single-letter state (`R`, `S`, `Z`, …).
        public var state: Character
        public var parentPID: Int32
        public var processGroup: Int32
        /// Session id (a script and everything it starts share one, unless they call setsid).
        public var session: Int32
    }

    /// Every process whose process group is `group`.
    public static func members(ofProcessGroup group: Int32) -> [Entry] {
        all().filter { $0.processGroup == group }
    }

    /// Zombie children of `parent` (not yet reaped).
    public static func zombies(childrenOf parent: Int32) -> [Entry] {
        all().filter { $0.parentPID == parent && $0.state == "Z" }
    }

    /// /proc/<pid>/stat of one process, nil when it does not exist.
    public static func entry(pid: Int32) -> Entry? {
        let fd = open("/proc/\(pid)/stat", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 1024)
        let n = read(fd, &buffer, buffer.count)
        guard n > 0 else { return nil }
        // "pid (comm) S ppid pgrp ..."; comm may contain spaces and parentheses.
        guard let close = buffer[0..<n].lastIndex(of: UInt8(ascii: ")")) else { return nil }
        let fields = buffer[(close + 1)..<n].split(separator: UInt8(ascii: " "))
        guard fields.count >= 4,
              let ppid = Int32(String(decoding: fields[1], as: UTF8.self)),
              let pgrp = Int32(String(decoding: fields[2], as: UTF8.self)),
              let session = Int32(String(decoding: fields[3], as: UTF8.self)) else { return nil }
        return Entry(pid: pid, state: Character(Unicode.Scalar(fields[0].first!)), parentPID: ppid, processGroup: pgrp,
                     session: session)
    }

    /// The children of this process: from `/proc/self/task/*/children` (a few small
    /// reads), or the whole table when the kernel lacks that file.
    public static func childrenOfSelf() -> [Entry] {
        guard let dir = opendir("/proc/self/task") else { return zombiesAndLiving(childrenOf: getpid()) }
        defer { closedir(dir) }
        var pids: [Int32] = []
        while let item = readdir(dir) {
            let name = withUnsafeBytes(of: item.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            guard Int32(name) != nil else { continue }
            let fd = open("/proc/self/task/\(name)/children", O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { return zombiesAndLiving(childrenOf: getpid()) }
            var text: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let n = read(fd, &buffer, buffer.count)
                if n <= 0 { break }
                text += buffer[0..<n]
            }
            close(fd)
            pids += text.split(separator: UInt8(ascii: " ")).compactMap { Int32(String(decoding: $0, as: UTF8.self)) }
        }
        return pids.compactMap { entry(pid: $0) }
    }

    private static func zombiesAndLiving(childrenOf parent: Int32) -> [Entry] {
        all().filter { $0.parentPID == parent }
    }

    /// Every process.
    public static func all() -> [Entry] {
        guard let dir = opendir("/proc") else { return [] }
        defer { closedir(dir) }
        var result: [Entry] = []
        while let item = readdir(dir) {
            let name = withUnsafeBytes(of: item.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            guard let pid = Int32(name), let entry = entry(pid: pid) else { continue }
            result.append(entry)
        }
        return result
    }
}
