import Glibc

/// CPU time and peak RSS of a process tree from /proc (the daemon and, for
/// keepalived, its VRRP/checker children).
struct ProcessUsage: Sendable {
    /// utime + stime of every process in the tree, per PID, seconds.
    var cpuSeconds: [Int32: Double]
    /// Sum of VmHWM over the tree, bytes.
    var peakRSS: Int

    var totalCPU: Double { cpuSeconds.values.reduce(0, +) }

    /// Samples `root` and its descendants.
    static func sample(root: Int32) -> ProcessUsage {
        let tree = descendants(of: root) + [root]
        var cpu: [Int32: Double] = [:]
        var rss = 0
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        for pid in tree {
            guard let stat = read("/proc/\(pid)/stat"), let close = stat.lastIndex(of: ")") else { continue }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            // After "pid (comm)": state is field 3, utime 14, stime 15 → indices 11, 12 here.
            if fields.count > 12, let u = Double(fields[11]), let s = Double(fields[12]) { cpu[pid] = (u + s) / ticks }
            if let status = read("/proc/\(pid)/status"),
               let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
               let kb = Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") {
                rss += kb * 1024
            }
        }
        return ProcessUsage(cpuSeconds: cpu, peakRSS: rss)
    }

    /// CPU seconds used between `earlier` and `later` by processes present in both.
    static func cpuDelta(_ earlier: ProcessUsage, _ later: ProcessUsage) -> Double {
        later.cpuSeconds.reduce(0) { sum, entry in sum + max(0, entry.value - (earlier.cpuSeconds[entry.key] ?? entry.value)) }
    }

    static func descendants(of root: Int32) -> [Int32] {
        var parents: [Int32: [Int32]] = [:]
        guard let dir = opendir("/proc") else { return [] }
        defer { closedir(dir) }
        while let entry = readdir(dir) {
            let name = String(cString: (UnsafeRawPointer(entry) + MemoryLayout<dirent>.offset(of: \.d_name)!)
                .assumingMemoryBound(to: CChar.self))
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
