@testable import LinuxNetworking
import Testing
import VRRPWire

/// Byte-level checks of what LinuxNetworking builds and parses itself (no kernel needed).
@Suite("Frames, checksums and netlink encoding")
struct FrameAndMessageTests {

    @Test("RFC 5798 §5.2.8: the VRRPv3 IPv4 checksum covers the pseudo-header")
    func vrrpV3IPv4Checksum() {
        var payload = TestAdverts.v3(vrid: 1, priority: 100, addresses: [.v4(IPv4Address(198, 51, 100, 1))])
        let src = IPv4Address(192, 0, 2, 10), dst = IPv4Address.vrrpMulticastGroup
        VRRPSocket.fillVRRPv3Checksum(&payload, source: src, destination: dst)
        #expect(TestAdverts.checksumIsValid(payload, source: .v4(src), destination: .v4(dst)))
        #expect(!TestAdverts.checksumIsValid(payload, source: .v4(src), destination: .v4(IPv4Address(192, 0, 2, 11))),
                "a unicast peer needs its own checksum")
    }

    @Test("Netlink messages and attributes round-trip; truncated input is an error, not a trap")
    func netlinkEncoding() throws {
        let attributes = NetlinkAttribute.encode([.string(3, "eth0"), .u32(8, 0x02), NetlinkAttribute(type: 11, value: [0x69])])
        let message = NetlinkMessage(type: 20, flags: 5, sequence: 42, payload: [2, 32, 0, 0, 1, 0, 0, 0] + attributes)
        let bytes = message.encoded()
        let parsed = try NetlinkMessage.parse(bytes[...])
        #expect(parsed.count == 1 && parsed[0].type == 20 && parsed[0].sequence == 42)
        let back = NetlinkAttribute.parse(parsed[0].payload[8...])
        #expect(back.map(\.type) == [3, 8, 11])
        #expect(back[0].stringValue == "eth0" && back[1].u32Value == 2 && back[2].value == [0x69])
        #expect(throws: LinuxNetworkingError.self) { try NetlinkMessage.parse(bytes.dropLast(3)[...]) }
        #expect(NetlinkAttribute.parse([9, 0, 1][...]).isEmpty)
    }

    @Test("RTM_NEWADDR payloads decode to InterfaceAddress with label, flags and protocol")
    func addressDecoding() {
        let payload = AddressManager.ifaddrmsg(.ipv4, prefix: 24, flags: 0x80, scope: 0, index: 7)
            + NetlinkAttribute.encode([NetlinkAttribute(type: 2, value: [198, 51, 100, 9]), .string(3, "eth0:vip"),
                                       .u32(8, 0x80), NetlinkAttribute(type: 11, value: [0x69])])
        let a = AddressManager.parseAddress(payload)
        #expect(a == InterfaceAddress(address: IPAddress("198.51.100.9")!, prefixLength: 24, interfaceIndex: 7,
                                      label: "eth0:vip", scope: 0, flags: 0x80, protocolTag: 0x69))
        #expect(AddressManager.parseAddress([2, 24]) == nil)
    }
}
