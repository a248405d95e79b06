import FailoverLab
import Glibc

/// A tcpdump capture of VRRP adverts and ARP on the lab bridge (`br0` in the bridge
/// namespace), decoded with tshark. Timestamps are wall-clock seconds (epoch).
final class WireCapture: Sendable {
    /// One captured frame of interest.
    struct Frame: Sendable {
        /// Capture time, seconds since the epoch.
        var time: Double
        /// IPv4 source of a VRRP advert, or nil.
        var advertSource: String?
        /// Priority field of the advert.
        var priority: Int?
        /// Sender protocol address of a gratuitous ARP (sender == target), or nil.
        var garpAddress: String?
        /// Target of an unsolicited neighbour advertisement, or nil.
        var naTarget: String? = nil
    }

    let path: String
    private let process: LabProcess

    private init(path: String, process: LabProcess) {
        self.path = path
        self.process = process
    }

    /// Starts tcpdump on the bridge and waits until it is listening.
    static func start(lab: Lab, name: String) async throws -> WireCapture {
        let path = "\(lab.directory)/\(name).pcap"
        let process = try lab.spawn(in: lab.bridgeNamespace,
                                    ["tcpdump", "-i", lab.bridge, "-U", "--immediate-mode", "-n", "-s", "128", "-w", path, "ip proto 112 or arp or (icmp6 and ip6[40] == 136)"],
                                    logName: "tcpdump-\(name)")
        let (_, ok) = await lab.waitForFile(process.standardErrorPath, timeout: .seconds(10)) { $0.contains("listening on") }
        guard ok else {
            await process.stop()
            throw BenchmarkError.tool("tcpdump did not start: \(process.standardError)")
        }
        return WireCapture(path: path, process: process)
    }

    /// Stops tcpdump (SIGINT flushes the file) and decodes the frames.
    func finish() async throws -> [Frame] {
        try? await Task.sleep(for: .milliseconds(50))
        await process.stop(signal: SIGINT, grace: .seconds(5))
        return try await decode(allowTruncated: false)
    }

    /// The frames captured so far, while tcpdump keeps running (`-U` writes each
    /// packet at once; a packet cut short at the end of the file is ignored).
    func framesSoFar() async throws -> [Frame] {
        try await decode(allowTruncated: true)
    }

    /// Whether `master` sent adverts steadily during the last `span` seconds before
    /// `now` (at least 70 % of `span / interval`) and no one else sent any.
    static func isSteady(_ frames: [Frame], master: String, interval: Double, now: Double, span: Double = 1) -> Bool {
        let recent = frames.filter { $0.advertSource != nil && $0.time > now - span }
        let fromMaster = recent.filter { $0.advertSource == master && ($0.priority ?? 0) > 0 }.count
        return recent.allSatisfy { $0.advertSource == master } && Double(fromMaster) >= 0.7 * span / interval
    }

    private func decode(allowTruncated: Bool) async throws -> [Frame] {
        let result = try await LabCommand.run([
            "tshark", "-r", path, "-T", "fields", "-E", "separator=,",
            "-e", "frame.time_epoch", "-e", "ip.src", "-e", "vrrp.prio",
            "-e", "arp.src.proto_ipv4", "-e", "arp.dst.proto_ipv4", "-e", "icmpv6.nd.na.target_address",
        ], allowFailure: allowTruncated)
        return result.standardOutput.split(separator: "\n").compactMap { line in
            let f = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard f.count >= 5, let time = Double(f[0]) else { return nil }
            if let prio = Int(f[2]) { return Frame(time: time, advertSource: f[1], priority: prio, garpAddress: nil) }
            if !f[3].isEmpty, f[3] == f[4] { return Frame(time: time, advertSource: nil, priority: nil, garpAddress: f[3]) }
            if f.count >= 6, !f[5].isEmpty { return Frame(time: time, advertSource: nil, priority: nil, garpAddress: nil, naTarget: f[5]) }
            return nil
        }
    }
}

/// The takeover as seen on the wire.
struct WireTakeover: Sendable {
    /// From the old master's last advert to the new master's first advert, seconds.
    var takeover: Double
    /// From the old master's last advert to the new master's first gratuitous ARP for the VIP, seconds.
    var garp: Double?
    /// The protocol bound applied: skew time after a priority-0 advert, else Master_Down_Interval.
    var bound: Double
    /// Whether the old master's last advert had priority 0.
    var priorityZero: Bool
    /// Wall-clock time of the new master's first advert.
    var newMasterFirstAdvert: Double

    var overhead: Double { takeover - bound }
    var garpOverhead: Double? { garp.map { $0 - bound } }

    /// Finds the takeover after `after` (epoch seconds) from `old` to `new`.
    static func analyse(_ frames: [WireCapture.Frame], old: String, new: String, vip: String,
                        after: Double, setup: BenchmarkSetup, backupPriority: Int) -> WireTakeover? {
        guard let first = frames.first(where: { $0.advertSource == new && $0.time > after - 0.001 }),
              let last = frames.last(where: { $0.advertSource == old && $0.time < first.time })
        else { return nil }
        let zero = last.priority == 0
        let bound = zero ? setup.skewTime(priority: backupPriority) : setup.masterDownInterval(priority: backupPriority)
        let garp = frames.first { $0.garpAddress == vip && $0.time >= first.time - 0.5 && $0.time > last.time }
        return WireTakeover(takeover: first.time - last.time, garp: garp.map { $0.time - last.time },
                            bound: bound, priorityZero: zero, newMasterFirstAdvert: first.time)
    }
}

enum BenchmarkError: Error, CustomStringConvertible {
    case tool(String)
    case scenario(String)

    var description: String {
        switch self {
        case .tool(let s): "tool: \(s)"
        case .scenario(let s): "scenario: \(s)"
        }
    }
}
