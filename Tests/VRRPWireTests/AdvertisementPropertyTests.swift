import PropertyBased
import Testing
import VRRPWire

/// decode(encode(x)) == x for every advert the wire can carry, and no byte
/// sequence makes the decoder or the receive checks trap.
@Suite struct AdvertisementPropertyTests {
    static let vrid = Gen.uint8(in: 1...255).map { VirtualRouterID($0)! }
    static let priority = Gen.uint8().map { Priority($0) }
    static let ipv4 = Gen.uint32().map { IPAddress.v4(IPv4Address($0)) }
    static let ipv6 = Gen.uint8().array(of: 16).map { IPAddress.v6(IPv6Address(bytes: $0)!) }
    static let password = Gen.uint8().array(of: 8).map { Authentication.simplePassword($0) }

    @Test func v2RoundTrips() async {
        await propertyCheck(
            input: Self.vrid, Self.priority, Gen.int(in: 1...255), Self.ipv4.array(of: 0...20),
            Gen.bool, Self.password, Self.ipv4
        ) { vrid, priority, seconds, addresses, authenticated, password, source in
            let advert = Advertisement(
                version: .v2, virtualRouterID: vrid, priority: priority,
                advertisementInterval: .seconds(seconds), addresses: addresses,
                authentication: authenticated ? password : .none)
            let destination = IPAddress.v4(.vrrpMulticastGroup)
            let packet = ReceivedPacket(payload: advert.encode(source: source, destination: destination),
                                        source: source, destination: destination, ttlOrHopLimit: 255)
            #expect(packet.decode() == .success(advert))
        }
    }

    @Test func v3RoundTrips() async {
        await propertyCheck(
            input: Self.vrid, Self.priority, Gen.int(in: 1...4095), Gen.bool,
            Self.ipv4.array(of: 0...20), Self.ipv6.array(of: 0...20), Self.ipv4, Self.ipv6
        ) { vrid, priority, centiseconds, overIPv6, v4s, v6s, source4, source6 in
            let advert = Advertisement(
                version: .v3, virtualRouterID: vrid, priority: priority,
                advertisementInterval: .milliseconds(centiseconds * 10), addresses: overIPv6 ? v6s : v4s)
            let source = overIPv6 ? source6 : source4
            let destination: IPAddress = overIPv6 ? .v6(.vrrpMulticastGroup) : .v4(.vrrpMulticastGroup)
            let packet = ReceivedPacket(payload: advert.encode(source: source, destination: destination),
                                        source: source, destination: destination, ttlOrHopLimit: 255)
            #expect(packet.decode() == .success(advert))
        }
    }

    @Test func arbitraryBytesNeverTrap() async {
        await propertyCheck(
            count: 2000,
            input: Gen.uint8().array(of: 0...120), Gen.bool, Self.ipv4, Self.ipv6, Gen.uint8()
        ) { bytes, overIPv6, source4, source6, ttl in
            let source = overIPv6 ? source6 : source4
            let packet = ReceivedPacket(payload: bytes, source: source, destination: source, ttlOrHopLimit: ttl)
            _ = packet.decode()
            _ = EthernetFrame(parsing: bytes)
            _ = IPv4Datagram(parsing: bytes)
            _ = IPv6Packet(parsing: bytes)
        }
    }

    @Test func corruptedAdvertsNeverTrap() async {
        // Random bytes rarely get past the first checks; corrupting one byte of a
        // valid advert reaches the deeper ones (counts, auth data, addresses).
        await propertyCheck(
            count: 2000,
            input: Self.vrid, Gen.bool, Self.ipv4.array(of: 0...5), Gen.int(in: 0...59), Gen.uint8()
        ) { vrid, v2, addresses, position, value in
            let source = IPAddress("192.0.2.1")!, destination = IPAddress.v4(.vrrpMulticastGroup)
            let advert = Advertisement(version: v2 ? .v2 : .v3, virtualRouterID: vrid, priority: Priority(100),
                                       advertisementInterval: .seconds(1), addresses: addresses,
                                       authentication: v2 ? .password("pw") : .none)
            var bytes = advert.encode(source: source, destination: destination)
            bytes[position % bytes.count] = value
            _ = ReceivedPacket(payload: bytes, source: source, destination: destination, ttlOrHopLimit: 255).decode()
        }
    }
}
