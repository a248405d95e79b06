import Testing
import VRRPWire

@Suite struct FrameTests {
    @Test func virtualMACFollowsRFC5798Section7_3() {
        let vrid = VirtualRouterID(0x2A)!
        #expect(MACAddress.virtualRouter(vrid, family: .ipv4).description == "00:00:5e:00:01:2a")
        #expect(MACAddress.virtualRouter(vrid, family: .ipv6).description == "00:00:5e:00:02:2a")
    }

    @Test func macAddressParsesAndPrints() {
        #expect(MACAddress("00-00-5E-00-01-0A")?.bytes == [0, 0, 0x5E, 0, 1, 0x0A])
        #expect(MACAddress("02:00:5e:10:00:01")?.description == "02:00:5e:10:00:01")
        #expect(MACAddress("02:00:5e:10:00") == nil)
        #expect(MACAddress("02:00:5e:10:00:100") == nil)
        #expect(MACAddress("zz:00:5e:10:00:01") == nil)
        #expect(MACAddress.broadcast.isMulticast)
    }

    @Test func multicastGroupsMapToMulticastMACs() {
        #expect(MACAddress.multicast(for: .v4(.vrrpMulticastGroup))?.description == "01:00:5e:00:00:12")
        #expect(MACAddress.multicast(for: .v6(.vrrpMulticastGroup))?.description == "33:33:00:00:00:12")
        #expect(MACAddress.multicast(for: IPAddress("192.0.2.1")!) == nil)
    }

    @Test func gratuitousARPIsARequestWithSenderEqualToTarget() {
        let mac = MACAddress.virtualRouter(VirtualRouterID(5)!, family: .ipv4)
        let garp = GratuitousARP(senderMAC: mac, address: IPv4Address("198.51.100.7")!)
        let f = garp.frame
        #expect(f.destination == .broadcast)
        #expect(f.etherType == 0x0806)
        let arp = f.payload
        #expect(arp.count == 28)
        #expect(Array(arp[6..<8]) == [0, 1])                     // request
        #expect(Array(arp[8..<14]) == mac.bytes)                 // sender MAC
        #expect(Array(arp[14..<18]) == Array(arp[24..<28]))      // sender IP == target IP
        #expect(Array(arp[14..<18]) == [198, 51, 100, 7])
    }

    @Test func unsolicitedNAHasOverrideAndTargetLinkLayerOption() {
        let mac = MACAddress("02:00:00:00:00:09")!
        let na = NeighborAdvertisement(targetMAC: mac, target: IPv6Address("2001:db8::9")!,
                                       source: IPv6Address("fe80::9")!)
        let m = na.icmpv6Message
        #expect(m.count == 32)
        #expect(m[0] == 136)
        #expect(m[4] == 0x20)                                     // O set, R and S clear
        #expect(Array(m[24..<26]) == [2, 1])                      // target link-layer option
        #expect(Array(m[26..<32]) == mac.bytes)
        var sum = InternetChecksum(pseudoHeaderFrom: IPAddress("fe80::9")!, to: .v6(.allNodes), nextHeader: 58, length: 32)
        sum.add(m)
        #expect(sum.value == 0)
        #expect(na.ipv6Packet.hopLimit == 255)
        #expect(na.frame.destination.description == "33:33:00:00:00:01")
        let router = NeighborAdvertisement(targetMAC: mac, target: IPv6Address("2001:db8::9")!, isRouter: true)
        #expect(router.icmpv6Message[4] == 0xA0)
    }

    @Test func ipHeadersRoundTrip() {
        let d = IPv4Datagram(source: IPv4Address("192.0.2.1")!, destination: .vrrpMulticastGroup,
                             protocolNumber: 112, payload: [1, 2, 3])
        #expect(IPv4Datagram(parsing: d.bytes) == d)
        #expect(InternetChecksum.compute(Array(d.bytes.prefix(20))) == 0)
        let p = IPv6Packet(source: IPv6Address("fe80::1")!, destination: .vrrpMulticastGroup,
                           nextHeader: 112, trafficClass: 0xC0, payload: [9, 9])
        #expect(IPv6Packet(parsing: p.bytes) == p)
        #expect(IPv4Datagram(parsing: Array(d.bytes.dropLast())) == nil)  // total length beyond the bytes
        // A receive buffer's worth of a longer datagram (MSG_TRUNC): what arrived.
        #expect(IPv4Datagram(parsing: Array(d.bytes.dropLast()), truncated: true)?.payload == [1, 2])
    }
}
