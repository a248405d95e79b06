import FailoverLab
import FailoverRuntime
import Glibc
import LinuxNetworking
import Logging
import Testing
import VRRPCore
import VRRPWire

// Needs root, iproute2 and tshark; skipped with this reason outside CI, fails loudly in CI.
@Suite("NeighborAnnouncer on the wire", requiresLab(baseLabTools + ["tshark"]))
struct NeighborAnnouncerTests {
    init() throws { try LabRequirements.require(baseLabTools + ["tshark"]) }

    /// Through the daemon's announcement port: a takeover's schedule (garp_master_repeat
    /// 3, garp_master_delay 300 ms) and the start-up rehearsal, on the same path.
    @Test("GARP and unsolicited NA seen by tshark on the bridge with the right fields and count; a rehearsal sends none")
    func announcementsSeenOnTheBridge() async throws {
        try await Lab.with { lab in
            let a = lab.node("a")
            let capture = try lab.spawn(in: lab.bridgeNamespace, [
                "tshark", "-i", lab.bridge, "-l", "-n", "-f", "arp or icmp6",
                "-T", "fields", "-E", "separator=|",
                "-e", "frame.time_relative", "-e", "eth.src", "-e", "eth.dst",
                "-e", "arp.opcode", "-e", "arp.src.hw_mac", "-e", "arp.src.proto_ipv4", "-e", "arp.dst.proto_ipv4",
                "-e", "arp.isgratuitous",
                "-e", "icmpv6.type", "-e", "icmpv6.nd.na.target_address", "-e", "icmpv6.nd.na.flag.o",
                "-e", "icmpv6.nd.na.flag.s", "-e", "icmpv6.opt.linkaddr", "-e", "ipv6.hlim", "-e", "ipv6.dst",
                "-e", "icmpv6.checksum.status",
            ], logName: "tshark")
            let ready = await lab.waitForFile(capture.standardErrorPath) { $0.contains("Capturing on") }
            try #require(ready.satisfied, "tshark did not start: \(ready.contents)")

            let vip4 = IPAddress("198.51.100.50")!, vip6 = IPAddress("2001:db8:100::50")!
            let port = LinuxAnnouncer(logger: Logger(label: "test"))
            let announcer = try await lab.inNamespace(a.namespace) {
                port.prepare(interfaces: ["eth0"])
                return try NeighborAnnouncer(interface: "eth0")
            }
            let specs = [vip4, vip6].map { VirtualAddressSpec(address: $0, interface: "eth0") }
            // "Capturing on" precedes the capture being live: probe until a sentinel frame shows up.
            try await waitUntilCapturing(lab, capture, from: lab.node("b"))
            let mac = announcer.hardwareAddress.map { String($0, radix: 16).leftPadded(2) }.joined(separator: ":")
            // The start-up rehearsal of the same announcement must put nothing on the wire.
            port.rehearseAnnouncement(specs)
            port.announce(specs, virtualRouterID: VirtualRouterID(51)!,
                          schedule: AnnounceSchedule(repeat: 3, secondBurstAfter: .milliseconds(300)))

            func lines(_ text: String) -> [[String]] {
                text.split(separator: "\n").map { $0.split(separator: "|", omittingEmptySubsequences: false).map(String.init) }
            }
            func ours(_ rows: [[String]]) -> (garps: [[String]], nas: [[String]]) {
                (rows.filter { $0.count >= 16 && $0[5] == "198.51.100.50" },
                 rows.filter { $0.count >= 16 && $0[8] == "136" && $0[9] == "2001:db8:100::50" })
            }
            let seen = await lab.waitForFile(capture.standardOutputPath) {
                let o = ours(lines($0)); return o.garps.count >= 6 && o.nas.count >= 6
            }
            await capture.stop(signal: SIGINT)
            let (garps, nas) = ours(lines(LabFile.read(capture.standardOutputPath) ?? ""))
            #expect(seen.satisfied)
            #expect(garps.count == 6, "two bursts of garp_master_repeat 3, none from the rehearsal")
            #expect(nas.count == 6, "none from the rehearsal")
            for g in garps {
                #expect(g[1] == mac && g[2] == "ff:ff:ff:ff:ff:ff")
                #expect(g[3] == "1", "ARP request")
                #expect(g[4] == mac && g[6] == "198.51.100.50")
                #expect(g[7] == "1", "tshark flags it gratuitous")
            }
            for n in nas {
                #expect(n[10] == "1" || n[10] == "True", "Override set")
                #expect(n[11] == "0" || n[11] == "False", "Solicited clear")
                #expect(n[12] == mac, "target link-layer address option")
                #expect(n[13] == "255" && n[14] == "ff02::1")
                #expect(n[15] == "1", "checksum good (the kernel filled it)")
            }
            // The second burst waited for garp_master_delay (a lower bound: sleeps never end early).
            let times = garps.compactMap { Double($0[0]) }
            if times.count == 6 { #expect(times[3] - times[2] >= 0.29) }
        }
    }
}

/// Sends a sentinel GARP from `node` until the capture shows it.
func waitUntilCapturing(_ lab: Lab, _ capture: LabProcess, from node: Lab.Node) async throws {
    let sentinel = IPAddress("198.51.100.254")!
    let prober = try await lab.inNamespace(node.namespace) { try NeighborAnnouncer(interface: node.interface) }
    for _ in 0..<100 {
        try prober.announce([sentinel])
        let seen = await lab.waitForFile(capture.standardOutputPath, timeout: .milliseconds(100)) {
            $0.contains("198.51.100.254")
        }
        if seen.satisfied { return }
    }
    throw Inbox<Int>.TimedOut(what: "the capture to start")
}

extension String {
    func leftPadded(_ width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
