import Glibc

/// What `/proc` says about a process (or this one): resident memory and open
/// descriptors, and this process's own descriptor limit.
enum ProcessProbe {
    /// `VmRSS` of `pid` in KiB; 0 when it cannot be read.
    static func residentKiB(_ pid: pid_t) -> Int {
        statusField("VmRSS", of: pid)
    }

    /// A field of `/proc/PID/status` given in kB (`VmRSS`, `VmHWM`, …).
    static func statusField(_ name: String, of pid: pid_t) -> Int {
        guard let file = fopen("/proc/\(pid)/status", "r") else { return 0 }
        defer { fclose(file) }
        var line = [CChar](repeating: 0, count: 256)
        while fgets(&line, Int32(line.count), file) != nil {
            let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if text.hasPrefix(name + ":") {
                return Int(text.dropFirst(name.count + 1).split(whereSeparator: { $0 == " " || $0 == "\t" }).first ?? "") ?? 0
            }
        }
        return 0
    }

    /// Entries in `/proc/PID/fd`.
    static func openDescriptors(_ pid: pid_t) -> Int {
        guard let dir = opendir("/proc/\(pid)/fd") else { return 0 }
        defer { closedir(dir) }
        var count = 0
        while let entry = readdir(dir) {
            if entry.pointee.d_name.0 != UInt8(ascii: ".") { count += 1 }
        }
        return count
    }

    /// Raises this process's descriptor limit to at least `needed` (root may raise
    /// the hard limit too), else the soft limit to the hard one; returns the soft limit.
    @discardableResult
    static func raiseOwnDescriptorLimit(atLeast needed: Int = 0) -> Int {
        let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
        var limit = rlimit()
        guard getrlimit(resource, &limit) == 0 else { return 0 }
        var wanted = limit
        wanted.rlim_max = max(limit.rlim_max, rlim_t(needed))
        wanted.rlim_cur = wanted.rlim_max
        if setrlimit(resource, &wanted) != 0 {
            limit.rlim_cur = limit.rlim_max
            _ = setrlimit(resource, &limit)
        }
        getrlimit(resource, &limit)
        return Int(clamping: limit.rlim_cur)
    }
}
