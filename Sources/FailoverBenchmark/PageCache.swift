import Glibc

/// Drops a file's pages from the page cache, so a daemon started from it maps its code
/// as read back from disk — as after an install or an image pull. A binary that was
/// just linked or copied sits in the cache in whatever folios the writer left, and the
/// kernel maps page-cache folios whole: the same daemon then measured up to 1 MiB more
/// peak RSS. Both daemons' executables are dropped before every row-3 run.
enum PageCache {
    static func evict(_ path: String) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return }
        defer { close(fd) }
        _ = fsync(fd)  // dirty pages cannot be dropped
        _ = posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED)
    }

    /// The executable `name` resolves to on PATH, if any.
    static func executable(named name: String) -> String? {
        let path = getenv("PATH").map { String(cString: $0) } ?? "/usr/sbin:/usr/bin:/sbin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/\(name)"
            if access(candidate, X_OK) == 0 { return candidate }
        }
        return nil
    }
}
