import FailoverTestKit
import Foundation
import Testing
import VRRPWire

/// An independent decoder agrees: tshark reads our adverts, GARP and NA from a
/// pcap as VRRP/ARP/ICMPv6 with correct checksums and the fields we set.
@Suite struct TsharkDecodeTests {
    static let tshark: String? = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return (path.split(separator: ":").map(String.init) + ["/usr/bin", "/usr/sbin"])
            .map { $0 + "/tshark" }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }()
    static let inCI = ProcessInfo.processInfo.environment["CI"] == "true"

    // tshark's checksum status field: 1 = Good ("[correct]" in -V output), 0 = Bad.
    static let checksumGood = "1"
    static let fields = [
        "frame.protocols", "vrrp.version", "vrrp.virt_rtr_id", "vrrp.prio", "vrrp.addr_count",
        "vrrp.adver_int", "vrrp.short_adver_int", "vrrp.checksum.status", "vrrp.auth_type",
        "vrrp.auth_string", "vrrp.ip_addr", "vrrp.ipv6_addr", "ip.checksum.status", "ip.ttl", "ipv6.hlim",
        "arp.opcode", "arp.isgratuitous", "arp.src.hw_mac", "arp.src.proto_ipv4", "arp.dst.proto_ipv4",
        "icmpv6.type", "icmpv6.checksum.status", "icmpv6.nd.na.flag.o", "icmpv6.nd.na.flag.s",
        "icmpv6.nd.na.target_address", "icmpv6.opt.linkaddr",
    ]

    // In CI tshark is installed by .ci/run, so a missing tshark fails the test there.
    @Test(.enabled(if: tshark != nil || inCI, "tshark is not installed; CI installs it and runs this test"))
    func tsharkDecodesOurFramesWithCorrectChecksums() throws {
        let tshark = try #require(Self.tshark, "tshark is required when CI=true")
        let nodeMAC = MACAddress("02:00:5e:10:00:07")!
        let node4 = IPAddress("192.0.2.7")!
        let node6 = IPAddress("fe80::7")!

        var pcap = PcapWriter()
        pcap.appendAdvertisement(
            Advertisement(version: .v2, virtualRouterID: VirtualRouterID(21)!, priority: Priority(120),
                          advertisementInterval: .seconds(1),
                          addresses: [IPAddress("198.51.100.30")!, IPAddress("198.51.100.31")!],
                          authentication: .password("hunter2")),
            source: node4, sourceMAC: nodeMAC, timestamp: .seconds(1))
        pcap.appendAdvertisement(
            Advertisement(version: .v3, virtualRouterID: VirtualRouterID(22)!, priority: Priority(254),
                          advertisementInterval: .milliseconds(250), addresses: [IPAddress("198.51.100.40")!]),
            source: node4, sourceMAC: nodeMAC, timestamp: .seconds(2))
        pcap.appendAdvertisement(
            Advertisement(version: .v3, virtualRouterID: VirtualRouterID(23)!, priority: Priority(100),
                          advertisementInterval: .seconds(1),
                          addresses: [IPAddress("2001:db8:200::1")!, IPAddress("2001:db8:200::2")!]),
            source: node6, sourceMAC: nodeMAC, timestamp: .seconds(3))
        pcap.append(GratuitousARP(senderMAC: .virtualRouter(VirtualRouterID(21)!, family: .ipv4),
                                  address: IPv4Address("198.51.100.30")!).frame, timestamp: .seconds(4))
        pcap.append(NeighborAdvertisement(targetMAC: .virtualRouter(VirtualRouterID(23)!, family: .ipv6),
                                          target: IPv6Address("2001:db8:200::1")!).frame, timestamp: .seconds(5))

        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ipf-tshark-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("frames.pcap").path
        try pcap.write(toFile: file)

        let rows = try Self.run(tshark, ["-r", file, "-o", "ip.check_checksum:TRUE", "-T", "fields",
                                         "-E", "separator=|", "-E", "occurrence=a", "-E", "aggregator=,"]
                                        + Self.fields.flatMap { ["-e", $0] })
            .split(separator: "\n").map { line in
                Dictionary(uniqueKeysWithValues: zip(Self.fields, line.split(separator: "|", omittingEmptySubsequences: false).map(String.init)))
            }
        try #require(rows.count == 5, "tshark printed \(rows.count) rows")

        let v2 = rows[0]
        #expect(v2["frame.protocols"] == "eth:ethertype:ip:vrrp")
        #expect(v2["vrrp.version"] == "2")
        #expect(v2["vrrp.virt_rtr_id"] == "21")
        #expect(v2["vrrp.prio"] == "120")
        #expect(v2["vrrp.addr_count"] == "2")
        #expect(v2["vrrp.adver_int"] == "1")
        #expect(v2["vrrp.auth_type"] == "1")
        #expect(v2["vrrp.auth_string"] == "hunter2")
        #expect(v2["vrrp.ip_addr"] == "198.51.100.30,198.51.100.31")
        #expect(v2["vrrp.checksum.status"] == Self.checksumGood)
        #expect(v2["ip.checksum.status"] == Self.checksumGood)
        #expect(v2["ip.ttl"] == "255")

        let v3 = rows[1]
        #expect(v3["frame.protocols"] == "eth:ethertype:ip:vrrp")
        #expect(v3["vrrp.version"] == "3")
        #expect(v3["vrrp.virt_rtr_id"] == "22")
        #expect(v3["vrrp.prio"] == "254")
        #expect(v3["vrrp.short_adver_int"] == "25")
        #expect(v3["vrrp.ip_addr"] == "198.51.100.40")
        #expect(v3["vrrp.checksum.status"] == Self.checksumGood)
        #expect(v3["ip.checksum.status"] == Self.checksumGood)

        let v3v6 = rows[2]
        #expect(v3v6["frame.protocols"] == "eth:ethertype:ipv6:vrrp")
        #expect(v3v6["vrrp.version"] == "3")
        #expect(v3v6["vrrp.virt_rtr_id"] == "23")
        #expect(v3v6["vrrp.prio"] == "100")
        #expect(v3v6["vrrp.short_adver_int"] == "100")
        #expect(v3v6["vrrp.ipv6_addr"] == "2001:db8:200::1,2001:db8:200::2")
        #expect(v3v6["vrrp.checksum.status"] == Self.checksumGood)
        #expect(v3v6["ipv6.hlim"] == "255")

        let garp = rows[3]
        #expect(garp["frame.protocols"] == "eth:ethertype:arp")
        #expect(garp["arp.opcode"] == "1")
        #expect(garp["arp.isgratuitous"] == "1")
        #expect(garp["arp.src.hw_mac"] == "00:00:5e:00:01:15")
        #expect(garp["arp.src.proto_ipv4"] == "198.51.100.30")
        #expect(garp["arp.dst.proto_ipv4"] == "198.51.100.30")

        let na = rows[4]
        #expect(na["frame.protocols"] == "eth:ethertype:ipv6:icmpv6")
        #expect(na["icmpv6.type"] == "136")
        #expect(na["icmpv6.checksum.status"] == Self.checksumGood)
        #expect(na["icmpv6.nd.na.flag.o"] == "1")
        #expect(na["icmpv6.nd.na.flag.s"] == "0")
        #expect(na["icmpv6.nd.na.target_address"] == "2001:db8:200::1")
        #expect(na["icmpv6.opt.linkaddr"] == "00:00:5e:00:02:17")
        #expect(na["ipv6.hlim"] == "255")

        // The human-readable dissection says the same: "[correct]" for three VRRP
        // checksums, one ICMPv6 checksum and two IPv4 header checksums.
        let verbose = try Self.run(tshark, ["-r", file, "-o", "ip.check_checksum:TRUE", "-V"])
        #expect(!verbose.contains("[incorrect"))
        #expect(verbose.components(separatedBy: "[correct]").count - 1 == 6)
        #expect(verbose.components(separatedBy: "[Checksum Status: Good]").count - 1 == 4)
    }

    /// Runs a tool and returns its standard output; throws when it fails.
    static func run(_ tool: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "\(tool) exited \(process.terminationStatus)")
        return String(decoding: data, as: UTF8.self)
    }
}
