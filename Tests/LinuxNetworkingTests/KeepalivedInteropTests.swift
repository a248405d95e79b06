import FailoverLab
import LinuxNetworking
import Testing
import VRRPWire

/// A real keepalived 2.2.x on node b, our socket on node a.
// Needs root, iproute2 and keepalived; skipped with this reason outside CI, fails loudly in CI.
@Suite("Wire interop with keepalived", requiresLab(baseLabTools + ["keepalived"]))
struct KeepalivedInteropTests {
    init() throws { try LabRequirements.require(baseLabTools + ["keepalived"]) }

    struct Case: Sendable, CustomTestStringConvertible {
        var version: UInt8
        var family: AddressFamily
        var unicast = false
        var testDescription: String { "VRRPv\(version) \(family)\(unicast ? " unicast" : " multicast")" }
    }

    static let cases = [false, true].flatMap { unicast in
        [Case(version: 2, family: .ipv4, unicast: unicast), Case(version: 3, family: .ipv4, unicast: unicast),
         Case(version: 3, family: .ipv6, unicast: unicast)]
    }

    /// Starts keepalived (state MASTER, priority 100, VRID 51) in `node`; with `peer`, in unicast mode.
    static func startKeepalived(_ lab: Lab, on node: Lab.Node, version: UInt8, vip: IPAddress,
                                unicastPeer peer: Lab.Node? = nil) throws -> LabProcess {
        let unicast = peer.map { p in
            "    unicast_src_ip \(node.address(vip.family))\n    unicast_peer {\n        \(p.address(vip.family))\n    }\n"
        } ?? ""
        return try lab.spawnKeepalived(on: node, configuration: """
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
        \(unicast)
            virtual_ipaddress {
                \(vip) dev \(node.interface)
            }
        }

        """)
    }

    static func log(_ process: LabProcess) -> String { process.standardOutput + process.standardError }

    @Test("keepalived's adverts arrive at our socket; our higher-priority adverts make it step down to BACKUP",
          arguments: cases)
    func keepalivedExchangesAdvertsWithOurSocket(_ c: Case) async throws {
        try await Lab.with { lab in
            let a = lab.node("a"), b = lab.node("b")
            let vip: IPAddress = c.family == .ipv4 ? .v4(IPv4Address(198, 51, 100, 60)) : IPAddress("2001:db8:100::60")!
            let socket = try await lab.vrrpSocket(on: a, family: c.family, groups: c.unicast ? [] : nil,
                                                  source: c.unicast ? a.address(c.family) : nil)
            defer { socket.close() }
            let inbox = Inbox(socket.packets())
            let keepalived = try Self.startKeepalived(lab, on: b, version: c.version, vip: vip, unicastPeer: c.unicast ? a : nil)
            let destination = c.unicast ? b.address(c.family) : VRRPSocket.Configuration.defaultGroup(c.family)

            // keepalived → us: a decodable advert with its priority, TTL 255, a valid checksum.
            let advert = try await inbox.next("keepalived's advert", within: .seconds(20)) { $0.payload.count >= 8 && $0.payload[1] == 51 && $0.source != a.address(c.family) }
            #expect(advert.payload[0] == 0x10 * c.version + 1, "version \(c.version), type ADVERTISEMENT")
            #expect(advert.payload[1] == 51 && advert.payload[2] == 100)
            // And VRRPWire decodes it to what keepalived.conf says.
            let decoded = try Advertisement.decode(message: advert.payload, source: advert.source, destination: advert.destination)
            #expect(decoded.version.rawValue == c.version && decoded.virtualRouterID.rawValue == 51)
            #expect(decoded.priority == Priority(100) && decoded.addresses == [vip])
            if c.unicast && c.family == .ipv6 {
                // keepalived 2.2.7 sends IPv6 unicast adverts with the default hop limit (64), and
                // skips the TTL check for unicast peers itself (keepalived #941): a validator that
                // insists on 255 for unicast peers would never hear keepalived over IPv6 unicast.
                #expect(advert.hopLimit == 64)
            } else {
                #expect(advert.hopLimit == 255)
            }
            #expect(TestAdverts.checksumIsValid(advert.payload, source: advert.source, destination: advert.destination))
            if c.family == .ipv4 || c.unicast { #expect(advert.source == b.address(c.family)) }
            #expect(advert.destination == (c.unicast ? a.address(c.family) : VRRPSocket.Configuration.defaultGroup(c.family)))
            let master = await lab.waitForKeepalivedLog(keepalived, "Entering MASTER STATE")
            #expect(master, "keepalived did not become MASTER: \(Self.log(keepalived))")

            // us → keepalived: priority 200 makes the master step down (RFC 5798 §6.4.3).
            let payload = c.version == 2
                ? TestAdverts.v2(vrid: 51, priority: 200, addresses: [IPv4Address(198, 51, 100, 60)])
                : TestAdverts.v3(vrid: 51, priority: 200, addresses: [vip])
            let sender = Task {
                while !Task.isCancelled {
                    try socket.send(payload, to: destination,
                                    options: .init(fillVRRPv3Checksum: c.version == 3))
                    try await Task.sleep(for: .milliseconds(200))
                }
            }
            defer { sender.cancel() }
            // The (init) BACKUP line precedes MASTER; wait for a BACKUP line after it.
            let backup = await lab.waitForKeepalivedLog(keepalived, "Entering BACKUP STATE", after: "Entering MASTER STATE")
            sender.cancel()
            let log = Self.log(keepalived)
            #expect(backup, "keepalived stayed MASTER: \(log)")
            #expect(log.contains("higher priority 200"), "keepalived logs the priority it received: \(log)")
            #expect(!log.contains("checksum"), "no checksum complaints: \(log)")
        }
    }
}
