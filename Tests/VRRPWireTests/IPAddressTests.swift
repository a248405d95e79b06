import Testing
import VRRPWire

@Suite struct IPAddressTests {
    @Test func ipv4RoundTripsThroughText() {
        #expect(IPv4Address("192.0.2.10")?.description == "192.0.2.10")
        #expect(IPv4Address("192.0.2.256") == nil)
        #expect(IPv4Address("192.0.2") == nil)
        #expect(IPv4Address("192.0.2.1a") == nil)
    }

    @Test func ipv6UsesCanonicalCompression() {
        #expect(IPv6Address("2001:DB8:0:0:0:0:0:1")?.description == "2001:db8::1")
        #expect(IPv6Address("ff02::12")?.description == "ff02::12")
        #expect(IPv6Address("::")?.description == "::")
        #expect(IPv6Address("2001:db8:0:1:0:0:0:1")?.description == "2001:db8:0:1::1")
        #expect(IPv6Address("::ffff:192.0.2.1")?.description == "::ffff:c000:201")
        #expect(IPv6Address("1:::2") == nil)
        #expect(IPv6Address("1::2::3") == nil)
        #expect(IPv6Address("1:2:3:4:5:6:7:8:9") == nil)
    }

    @Test func higherAddressComparesGreater() {
        #expect(IPv4Address("192.0.2.10")! > IPv4Address("192.0.2.9")!)
        #expect(IPv6Address("2001:db8::10")! > IPv6Address("2001:db8::9")!)
    }
}
