import Glibc

/// CPU time and peak RSS of a process tree from /proc (the daemon and, for
/// keepalived, its VRRP/checker children).
struct ProcessUsage: Sendable {
    /// Time on a CPU of every thread of every process in the tree, per PID and then
    /// per thread, seconds: the scheduler's nanosecond count (`/proc/<pid>/task/<tid>/schedstat`),
    /// not `utime + stime`, whose 10 ms ticks are a third of what a backup spends in 10 s
    /// at 1 s adverts.
    var cpuSeconds: [Int32: [Int32: Double]]
    /// Sum of VmHWM over the tree, bytes.
    var peakRSS: Int

    /// Samples `root` and its descendants.
    static func sample(root: Int32) -> ProcessUsage {
        let tree = descendants(of: root) + [root]
        var cpu: [Int32: [Int32: Double]] = [:]
        var rss = 0
        for pid in tree {
            cpu[pid] = threadCPU(pid)
            if let status = read("/proc/\(pid)/status"),
               let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
               let kb = Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") {
                rss += kb * 1024
            }
        }
        return ProcessUsage(cpuSeconds: cpu, peakRSS: rss)
    }

    /// CPU seconds used between `earlier` and `later` by the processes present in both;
    /// a thread started in between counts from zero.
    static func cpuDelta(_ earlier: ProcessUsage, _ later: ProcessUsage) -> Double {
        later.cpuSeconds.reduce(0) { sum, process in
            guard let before = earlier.cpuSeconds[process.key] else { return sum }
            return sum + process.value.reduce(0) { $0 + max(0, $1.value - (before[$1.key] ?? 0)) }
        }
    }

    /// Each thread's time on a CPU (the first field of its schedstat, nanoseconds).
    static func threadCPU(_ pid: Int32) -> [Int32: Double] {
        var out: [Int32: Double] = [:]
        for tid in entries("/proc/\(pid)/task").compactMap({ Int32($0) }) {
            if let stat = read("/proc/\(pid)/task/\(tid)/schedstat"),
               let ns = Double(stat.split(separator: " ").first ?? "") {
                out[tid] = ns / 1e9
            }
        }
        return out
    }

    /// The names in a directory.
    static func entries(_ path: String) -> [String] {
        guard let dir = opendir(path) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            names.append(String(cString: (UnsafeRawPointer(entry) + MemoryLayout<dirent>.offset(of: \.d_name)!)
                .assumingMemoryBound(to: CChar.self)))
        }
        return names
    }

    static func descendants(of root: Int32) -> [Int32] {
        var parents: [Int32: [Int32]] = [:]
        for name in entries("/proc") {
            guard let pid = Int32(name), let stat = read("/proc/\(pid)/stat"), let close = stat.lastIndex(of: ")") else { continue }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            if fields.count > 1, let ppid = Int32(fields[1]) { parents[ppid, default: []].append(pid) }
        }
        var out: [Int32] = []
        var queue = [root]
        while let next = queue.popLast() {
            for child in parents[next] ?? [] { out.append(child); queue.append(child) }
        }
        return out
    }

    static func read(_ path: String) -> String? {
        guard let file = fopen(path, "r") else { return nil }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = fread(&buffer, 1, buffer.count, file)
            if n <= 0 { break }
            bytes += buffer[0..<n]
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// Maps ContinuousClock instants to wall-clock seconds (tcpdump's timestamps).
struct WallClock: Sendable {
    let reference: ContinuousClock.Instant
    let referenceWall: Double

    init() {
        var ts = timespec()
        reference = ContinuousClock.now
        clock_gettime(CLOCK_REALTIME, &ts)
        referenceWall = Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    func wall(_ instant: ContinuousClock.Instant) -> Double {
        referenceWall + (instant - reference).seconds
    }

    func instant(_ wall: Double) -> ContinuousClock.Instant {
        reference + .nanoseconds(Int64(((wall - referenceWall) * 1e9).rounded()))
    }
}

extension Duration {
    var seconds: Double {
        let (s, atto) = components
        return Double(s) + Double(atto) / 1e18
    }
}
