import FailoverLab
import Glibc
import Testing

// The segment the whole-cluster benchmark measures on: each node pays for its own
// sends and reads, not for its peers' receive.
@Suite("Lab segment", requiresLab(baseLabTools + ["ethtool", "ping"]))
struct LabSegmentTests {
    init() throws { try LabRequirements.require(baseLabTools + ["ethtool", "ping"]) }

    /// The kernel threads that run NAPI for `port`, with the time each has run (ns).
    static func napiThreads(of port: String) -> [pid_t: UInt64] {
        var threads: [pid_t: UInt64] = [:]
        guard let directory = opendir("/proc") else { return threads }
        defer { closedir(directory) }
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            guard let pid = pid_t(name),
                  let comm = LabFile.read("/proc/\(pid)/comm"), comm.hasPrefix("napi/\(port)-"),
                  let schedstat = LabFile.read("/proc/\(pid)/schedstat"),
                  let ran = schedstat.split(separator: " ").first.flatMap({ UInt64($0) }) else { continue }
            threads[pid] = ran
        }
        return threads
    }

    @Test("After receiveOnKernelThreads a node's frames are received on the bridge port's NAPI thread, not in the sender's softirq")
    func framesAreReceivedOnAKernelThread() async throws {
        try await Lab.with(nodes: ["a", "b"]) { lab in
            let a = lab.node("a"), b = lab.node("b")
            try await lab.receiveOnKernelThreads()
            for node in lab.nodes {
                let threaded = try await lab.run(in: lab.bridgeNamespace, ["cat", "/sys/class/net/\(node.bridgePort)/threaded"])
                #expect(threaded.standardOutput.hasPrefix("1"), "\(node.bridgePort): \(threaded.standardOutput)")
            }
            // This test's namespaces are the only ones with threaded bridge ports.
            let before = Self.napiThreads(of: a.bridgePort)
            try #require(!before.isEmpty, "no napi/\(a.bridgePort)-… thread")
            let ping = try await lab.run(in: a.namespace, ["ping", "-q", "-f", "-c", "2000", "-w", "20", "\(b.ipv4)"])
            #expect(ping.standardOutput.contains(" 0% packet loss"), "\(ping.standardOutput)")
            let after = Self.napiThreads(of: a.bridgePort)
            let ran = before.reduce(UInt64(0)) { total, thread in total + (after[thread.key] ?? thread.value) - thread.value }
            // 2,000 frames from a: the thread that receives a's port must have run.
            #expect(ran > 0, "napi/\(a.bridgePort) threads \(before) → \(after)")
        }
    }
}
