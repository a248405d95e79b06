import FailoverLab
import Glibc
import LinuxNetworking
import Synchronization
import Testing
import VRRPWire

/// A takeover that adds ~1,000 addresses must not hold up the new master's adverts:
/// a backup at 0.1 s declares the master dead after about 0.36 s of silence.
@Suite(.serialized, .enabled(if: LabRequirements.shouldRun(["ip"]), "needs root and iproute2"))
struct ManyVIPsAdvertGapTests {
    static let extraIPv6 = 999
    static let interval = 0.1

    /// One VRRPv3 instance at 0.1 s holding 198.51.100.10 and, on `a`, 999 IPv6 VIPs in
    /// `virtual_ipaddress_excluded` (not in the advert, so both nodes' adverts agree).
    static func configuration(priority: Int, extraIPv6: Int) -> String {
        guard extraIPv6 > 0 else { return DaemonHarness.configuration(priority: priority) }
        let excluded = (1...extraIPv6).map { "        2001:db8:100::\(String($0, radix: 16))/128 dev eth0\n" }.joined()
        return DaemonHarness.configuration(priority: priority, extra: "virtual_ipaddress_excluded {\n\(excluded)    }")
    }

    @Test("Taking over 999 IPv6 VIPs at 0.1 s: the new master's adverts keep their interval, and the old master stays BACKUP")
    func addingManyVIPsKeepsTheAdvertSchedule() async throws {
        try LabRequirements.require(["ip"])
        try await Lab.with(nodes: ["a", "b"]) { lab in
            let h = DaemonHarness(lab: lab)
            let a = lab.node("a"), b = lab.node("b")
            // Every advert a sends, as b's kernel received it (SO_TIMESTAMPNS).
            let socket = try await lab.inNamespace(b.namespace) {
                try VRRPSocket(.init(interface: b.interface, family: .ipv4))
            }
            defer { socket.close() }
            let fromA = Mutex<[Double]>([])
            let source = IPAddress.v4(a.ipv4)
            socket.read(on: try EngineThread()) { packets, _ in
                let stamps = packets.filter { $0.packet.source == source }.compactMap(\.receivedAt).map {
                    Double($0.nanosecondsSinceEpoch) / 1e9
                }
                fromA.withLock { $0 += stamps }
            }
            try h.writeConfiguration(Self.configuration(priority: 100, extraIPv6: 0), for: b)
            try h.writeConfiguration(Self.configuration(priority: 150, extraIPv6: Self.extraIPv6), for: a)
            let pb = try h.start(b)
            #expect(await h.waitForState("MASTER", on: b), "\(pb.standardError)")
            let pa = try h.start(a)
            #expect(await h.waitForState("MASTER", on: a, timeout: .seconds(30)), "\(pa.standardError)")
            // Until every VIP is on a's interface, then a second more of adverts.
            let deadline = ContinuousClock.now + .seconds(60)
            var present = 0
            while ContinuousClock.now < deadline {
                let listing = try await lab.run(in: a.namespace, ["ip", "-6", "-o", "addr", "show", "dev", "eth0"])
                present = listing.standardOutput.split(separator: "\n").filter { $0.contains("2001:db8:100::") }.count
                if present == Self.extraIPv6 { break }
                try await Task.sleep(for: .milliseconds(200))
            }
            #expect(present == Self.extraIPv6, "\(pa.standardError.suffix(2000))")
            try await Task.sleep(for: .seconds(1))
            let stamps = fromA.withLock { $0 }
            let gaps = zip(stamps.dropFirst(), stamps).map { $0 - $1 }
            let largest = gaps.max() ?? .infinity
            print("adverts from a: \(stamps.count), largest gap \(Int((largest * 1000).rounded())) ms")
            #expect(stamps.count > 10, "a sent \(stamps.count) adverts")
            // The master-down interval is 3 × 0.1 s + skew; a gap near it lets b take over.
            #expect(largest < 3 * Self.interval, "largest gap between a's adverts: \(largest) s")
            let status = try #require(await h.status(of: b))
            let counters = status.instances.first?.counters ?? [:]
            #expect(status.instances.first?.state == "BACKUP")
            #expect(counters["become_master"] == 1, "b took over again while a added its VIPs: \(counters)")
            // The removals run on the same queue; SIGTERM returns only once they are done.
            #expect(await pa.stop(signal: SIGTERM, grace: .seconds(30)) == 0, "\(pa.standardError.suffix(2000))")
            let after = try await lab.run(in: a.namespace, ["ip", "-o", "addr", "show", "dev", "eth0"]).standardOutput
            #expect(!after.contains("2001:db8:100::") && !after.contains(" \(DaemonHarness.vip)/"), "left behind: \(after)")
        }
    }
}
