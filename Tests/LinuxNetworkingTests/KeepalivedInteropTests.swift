import Foundation
import FailoverLab
import LinuxNetworking
import Testing
import VRRPWire

/// A real keepalived 2.2.x on node b, our socket on node a.
// Needs root, iproute2 and keepalived; skipped with this reason outside CI, fails loudly in CI.
@Suite("Wire interop with keepalived", .enabled(if: LabRequirements.shouldRun(baseLabTools + ["keepalived"])))
struct KeepalivedInteropTests {
    init() throws { try LabRequirements.require(baseLabTools + ["keepalived"]) }

    struct Case: Sendable, CustomTestStringConvertible {
        var version: UInt8
        var family: AddressFamily
        var testDescription: String { "VRRPv\(version) \(family)" }
    }

    static let cases = [Case(version: 2, family: .ipv4), Case(version: 3, family: .ipv4), Case(version: 3, family: .ipv6)]

    /// Starts keepalived (state MASTER, priority 100, VRID 51) in `node`; returns it and its log path.
    static func startKeepalived(_ lab: Lab, on node: Lab.Node, version: UInt8, vip: IPAddress) throws -> LabProcess {
        let dir = lab.directory
        let config = """
        global_defs {
            router_id ipf_interop
        }
        vrrp_instance VI_1 {
            state MASTER
            interface \(node.interface)
            virtual_router_id 51
            priority 100
            advert_int 1
            version \(version)
            virtual_ipaddress {
                \(vip) dev \(node.interface)
            }
        }

        """
        try LabFile.write(config, to: "\(dir)/keepalived.conf")
        return try lab.spawn(in: node.namespace, [
            "keepalived", "-n", "-l", "-D", "-f", "\(dir)/keepalived.conf",
            "-p", "\(dir)/keepalived.pid", "-r", "\(dir)/vrrp.pid", "-c", "\(dir)/checkers.pid",
        ], logName: "keepalived")
    }

    static func log(_ process: LabProcess) -> String { process.standardOutput + process.standardError }

    @Test("keepalived's adverts arrive at our socket; our higher-priority adverts make it step down to BACKUP",
          arguments: cases)
    func keepalivedExchangesAdvertsWithOurSocket(_ c: Case) async throws {
        try await Lab.with { lab in
            let a = lab.node("a"), b = lab.node("b")
            let vip: IPAddress = c.family == .ipv4 ? .v4(IPv4Address(198, 51, 100, 60)) : IPAddress("2001:db8:100::60")!
            let socket = try await lab.vrrpSocket(on: a, family: c.family)
            defer { socket.close() }
            let inbox = Inbox(socket.subscribe(.init(virtualRouterID: VirtualRouterID(51))).packets)
            let keepalived = try Self.startKeepalived(lab, on: b, version: c.version, vip: vip)

            // keepalived → us: a decodable advert with its priority, TTL 255, a valid checksum.
            let advert = try await inbox.next("keepalived's advert", within: .seconds(20)) { $0.payload.count >= 8 }
            #expect(advert.payload[0] == 0x10 * c.version + 1, "version \(c.version), type ADVERTISEMENT")
            #expect(advert.payload[1] == 51 && advert.payload[2] == 100)
            #expect(advert.hopLimit == 255)
            #expect(TestAdverts.checksumIsValid(advert.payload, source: advert.source, destination: advert.destination))
            if c.family == .ipv4 { #expect(advert.source == b.address(.ipv4)) }
            #expect(advert.destination == VRRPSocket.Configuration.defaultGroup(c.family))
            let master = await lab.waitForFile(keepalived.standardErrorPath) { $0.contains("Entering MASTER STATE") }
            #expect(master.satisfied, "keepalived did not become MASTER: \(Self.log(keepalived))")

            // us → keepalived: priority 200 makes the master step down (RFC 5798 §6.4.3).
            let payload = c.version == 2
                ? TestAdverts.v2(vrid: 51, priority: 200, addresses: [IPv4Address(198, 51, 100, 60)])
                : TestAdverts.v3(vrid: 51, priority: 200, addresses: [vip])
            let sender = Task {
                while !Task.isCancelled {
                    try socket.send(payload, to: VRRPSocket.Configuration.defaultGroup(c.family),
                                    options: .init(fillVRRPv3Checksum: c.version == 3))
                    try await Task.sleep(for: .milliseconds(200))
                }
            }
            defer { sender.cancel() }
            // The (init) BACKUP line precedes MASTER; wait for a BACKUP line after it.
            let backup = await lab.waitForFile(keepalived.standardErrorPath) { text in
                guard let master = text.range(of: "Entering MASTER STATE") else { return false }
                return text[master.upperBound...].contains("Entering BACKUP STATE")
            }
            sender.cancel()
            let log = Self.log(keepalived)
            #expect(backup.satisfied, "keepalived stayed MASTER: \(log)")
            #expect(log.contains("higher priority 200"), "keepalived logs the priority it received: \(log)")
            #expect(!log.contains("checksum"), "no checksum complaints: \(log)")
        }
    }
}
