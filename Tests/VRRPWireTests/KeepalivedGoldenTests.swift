import Testing
import VRRPWire

/// Adverts, GARPs and NAs captured from keepalived 2.2.7 by
/// scripts/capture-golden-adverts: we decode them to the configured values and
/// produce the same bytes.
@Suite struct KeepalivedGoldenTests {
    static let nodeMAC = MACAddress("02:00:5e:10:00:01")!
    static let node = IPAddress("192.0.2.1")!
    static let v4Group = IPAddress.v4(.vrrpMulticastGroup)

    struct Case: Sendable, CustomTestStringConvertible {
        var fixture: String
        var expected: Advertisement
        var source: IPAddress
        var destination: IPAddress
        var testDescription: String { fixture }
    }

    static let cases: [Case] = [
        // (a) The OpenShift image's instance: PASS auth with the config name, which
        // keepalived cuts to its first 8 bytes, "OpenShif".
        Case(fixture: "keepalived-v2-ipv4-pass",
             expected: Advertisement(version: .v2, virtualRouterID: VirtualRouterID(11)!, priority: Priority(150),
                                     advertisementInterval: .seconds(1), addresses: [IPAddress("198.51.100.10")!],
                                     authentication: .password("OpenShift-IPFailover")),
             source: node, destination: v4Group),
        // The same instance's release advert on shutdown.
        Case(fixture: "keepalived-v2-ipv4-pass-priority0",
             expected: Advertisement(version: .v2, virtualRouterID: VirtualRouterID(11)!, priority: .release,
                                     advertisementInterval: .seconds(1), addresses: [IPAddress("198.51.100.10")!],
                                     authentication: .password("OpenShift-IPFailover")),
             source: node, destination: v4Group),
        // (b) VRRPv3 over IPv4 with advert_int 0.1: 10 centiseconds.
        Case(fixture: "keepalived-v3-ipv4-subsecond",
             expected: Advertisement(version: .v3, virtualRouterID: VirtualRouterID(12)!, priority: Priority(200),
                                     advertisementInterval: .milliseconds(100),
                                     addresses: [IPAddress("198.51.100.20")!, IPAddress("198.51.100.21")!]),
             source: node, destination: v4Group),
        // (c) VRRPv3 over IPv6 with two VIPs, sent from the link-local address.
        Case(fixture: "keepalived-v3-ipv6-two-vips",
             expected: Advertisement(version: .v3, virtualRouterID: VirtualRouterID(13)!, priority: Priority(100),
                                     advertisementInterval: .seconds(1),
                                     addresses: [IPAddress("2001:db8:100::1")!, IPAddress("2001:db8:100::2")!]),
             source: IPAddress("fe80::5eff:fe10:1")!, destination: .v6(.vrrpMulticastGroup)),
    ]

    @Test(arguments: cases)
    func decodesKeepalivedAdvertToConfiguredValues(_ c: Case) throws {
        let packet = try GoldenFixture.receivedPacket(c.fixture)
        #expect(packet.source == c.source)
        #expect(packet.destination == c.destination)
        #expect(packet.ttlOrHopLimit == 255)
        #expect(try packet.decode().get() == c.expected)
    }

    @Test(arguments: cases)
    func reencodesKeepalivedAdvertByteForByte(_ c: Case) throws {
        let packet = try GoldenFixture.receivedPacket(c.fixture)
        #expect(c.expected.encode(source: packet.source, destination: packet.destination) == packet.payload)
    }

    @Test func ipv4HeaderOfKeepalivedAdvertRebuildsWithSameChecksum() throws {
        let frame = try #require(EthernetFrame(parsing: try GoldenFixture.frame("keepalived-v2-ipv4-pass")))
        let datagram = try #require(IPv4Datagram(parsing: frame.payload))
        #expect(datagram.typeOfService == 0xC0)
        #expect(datagram.protocolNumber == 112)
        #expect(datagram.bytes == frame.payload)
    }

    @Test func gratuitousARPMatchesKeepalivedByteForByte() throws {
        let garp = GratuitousARP(senderMAC: Self.nodeMAC, address: IPv4Address("198.51.100.10")!)
        #expect(garp.frame.bytes == (try GoldenFixture.frame("keepalived-garp")))
    }

    @Test func unsolicitedNeighborAdvertisementMatchesKeepalivedByteForByte() throws {
        let na = NeighborAdvertisement(targetMAC: Self.nodeMAC, target: IPv6Address("2001:db8:100::1")!)
        #expect(na.frame.bytes == (try GoldenFixture.frame("keepalived-na")))
    }
}
