import Testing
import VRRPWire

@Suite struct AdvertisementCodecTests {
    static let src = IPAddress("192.0.2.1")!
    static let dst = IPAddress.v4(.vrrpMulticastGroup)

    @Test func v2MessageLayoutFollowsRFC3768() {
        let advert = Advertisement(version: .v2, virtualRouterID: VirtualRouterID(7)!, priority: Priority(100),
                                   advertisementInterval: .seconds(3),
                                   addresses: [IPAddress("198.51.100.1")!, IPAddress("198.51.100.2")!],
                                   authentication: .password("abc"))
        let m = advert.encode(source: Self.src, destination: Self.dst)
        #expect(m.count == 8 + 2 * 4 + 8)
        #expect(Array(m[0..<6]) == [0x21, 7, 100, 2, 1, 3])
        #expect(Array(m[8..<16]) == [198, 51, 100, 1, 198, 51, 100, 2])
        #expect(Array(m[16...]) == [0x61, 0x62, 0x63, 0, 0, 0, 0, 0])
        #expect(InternetChecksum.compute(m) == 0)
    }

    @Test func v2WithoutAuthenticationStillCarriesEightZeroBytes() {
        let advert = Advertisement(version: .v2, virtualRouterID: VirtualRouterID(1)!, priority: Priority(1),
                                   advertisementInterval: .seconds(1), addresses: [])
        let m = advert.encode(source: Self.src, destination: Self.dst)
        #expect(m.count == 16)
        #expect(m[4] == 0)
        #expect(Array(m[8...]) == Array(repeating: 0, count: 8))
    }

    @Test func v3MessageLayoutFollowsRFC5798() {
        let advert = Advertisement(version: .v3, virtualRouterID: VirtualRouterID(200)!, priority: .owner,
                                   advertisementInterval: .milliseconds(40_950),
                                   addresses: [IPAddress("2001:db8::1")!])
        let src = IPAddress("fe80::1")!, dst = IPAddress.v6(.vrrpMulticastGroup)
        let m = advert.encode(source: src, destination: dst)
        #expect(m.count == 8 + 16)
        // Reserved nibble zero, 4095 centiseconds.
        #expect(Array(m[0..<6]) == [0x31, 200, 255, 1, 0x0F, 0xFF])
        // RFC 8200 §8.1: source, destination, 32-bit length, three zero bytes, next header.
        let pseudo = src.bytes + dst.bytes + [0, 0, 0, UInt8(m.count), 0, 0, 0, 112]
        #expect(InternetChecksum.compute(pseudo, m) == 0)
        var sum = InternetChecksum(pseudoHeaderFrom: src, to: dst, nextHeader: 112, length: m.count)
        sum.add(m)
        #expect(sum.value == 0)
    }

    @Test func v3ReservedBitsAreIgnoredOnReceipt() throws {
        let advert = Advertisement(version: .v3, virtualRouterID: VirtualRouterID(1)!, priority: Priority(1),
                                   advertisementInterval: .milliseconds(100), addresses: [])
        var m = advert.encode(source: Self.src, destination: Self.dst)
        m[4] |= 0xF0
        m[6] = 0; m[7] = 0
        var sum = InternetChecksum(pseudoHeaderFrom: Self.src, to: Self.dst, nextHeader: 112, length: m.count)
        sum.add(m)
        let c = sum.value
        m[6] = UInt8(c >> 8); m[7] = UInt8(c & 0xFF)
        #expect(try Advertisement.decode(message: m, source: Self.src, destination: Self.dst) == advert)
    }

    @Test func intervalsAreRoundedAndClampedToTheWire() {
        func v3(_ d: Duration) -> [UInt8] {
            let m = Advertisement(version: .v3, virtualRouterID: VirtualRouterID(1)!, priority: Priority(1),
                                  advertisementInterval: d, addresses: []).encode(source: Self.src, destination: Self.dst)
            return [m[4], m[5]]
        }
        func v2(_ d: Duration) -> UInt8 {
            Advertisement(version: .v2, virtualRouterID: VirtualRouterID(1)!, priority: Priority(1),
                          advertisementInterval: d, addresses: []).encode(source: Self.src, destination: Self.dst)[5]
        }
        #expect(v3(.milliseconds(104)) == [0, 10])
        #expect(v3(.milliseconds(105)) == [0, 11])
        #expect(v3(.seconds(3600)) == [0x0F, 0xFF])
        #expect(v3(.seconds(-1)) == [0, 0])
        #expect(v3(.milliseconds(-500)) == [0, 0])
        #expect(v2(.milliseconds(-500)) == 0)
        #expect(v2(.milliseconds(1499)) == 1)
        #expect(v2(.milliseconds(1500)) == 2)
        #expect(v2(.seconds(1000)) == 255)
        #expect(v2(.seconds(Int64.max)) == 255)
    }

    @Test func longPasswordIsCutToEightBytes() {
        let advert = Advertisement(version: .v2, virtualRouterID: VirtualRouterID(1)!, priority: Priority(1),
                                   advertisementInterval: .seconds(1), addresses: [],
                                   authentication: .simplePassword(Array("0123456789".utf8)))
        let m = advert.encode(source: Self.src, destination: Self.dst)
        #expect(Array(m[8...]) == Array("01234567".utf8))
    }

    @Test func internetChecksumMatchesRFC1071Example() {
        // RFC 1071 §3: 00 01 f2 03 f4 f5 f6 f7 sums to ddf2, checksum 220d.
        #expect(InternetChecksum.compute([0x00, 0x01, 0xF2, 0x03, 0xF4, 0xF5, 0xF6, 0xF7]) == 0x220D)
        // Split at an odd boundary: same result.
        #expect(InternetChecksum.compute([0x00, 0x01, 0xF2], [0x03, 0xF4, 0xF5, 0xF6, 0xF7]) == 0x220D)
        // Odd length pads with a zero byte.
        #expect(InternetChecksum.compute([0x01]) == ~UInt16(0x0100))
    }

    @Test func rejectionsDescribeThemselves() {
        #expect(AdvertisementRejection.ttlNot255(received: 64).description == "TTL/hop limit 64, expected 255")
    }
}
