import Testing
import VRRPWire

/// One test per receive check of RFC 5798 §7.1 / RFC 3768 §7.1 that the packet alone
/// decides, through `ReceivedPacket.decode()` as the engine runs it: each packet is
/// otherwise valid and fails exactly the named check. The checks against the
/// instance's settings (version, authentication, interval, address list) are the
/// core's: `VRRPCoreTests.ReceiveRuleTests`.
@Suite struct ReceiveRuleTests {
    static let vrid = VirtualRouterID(11)!
    static let src = IPAddress("192.0.2.1")!
    static let dst = IPAddress.v4(.vrrpMulticastGroup)
    static let src6 = IPAddress("fe80::1")!
    static let dst6 = IPAddress.v6(.vrrpMulticastGroup)
    static let vip = IPAddress("198.51.100.10")!

    static let v2Advert = Advertisement(
        version: .v2, virtualRouterID: vrid, priority: Priority(150), advertisementInterval: .seconds(1),
        addresses: [vip], authentication: .password("OpenShift-IPFailover"))
    static let v3Advert = Advertisement(
        version: .v3, virtualRouterID: vrid, priority: Priority(150), advertisementInterval: .milliseconds(100),
        addresses: [vip])

    static func packet(_ payload: [UInt8], ttl: UInt8 = 255, source: IPAddress = src,
                       destination: IPAddress = dst) -> ReceivedPacket {
        ReceivedPacket(payload: payload, source: source, destination: destination, ttlOrHopLimit: ttl)
    }

    /// `message` with byte `index` set to `value` and the checksum made valid again,
    /// so only the changed field can fail a check.
    static func patched(_ message: [UInt8], _ index: Int, _ value: UInt8, source: IPAddress = src,
                        destination: IPAddress = dst) -> [UInt8] {
        var m = message
        m[index] = value
        m[6] = 0
        m[7] = 0
        var sum = m[0] >> 4 == 3
            ? InternetChecksum(pseudoHeaderFrom: source, to: destination, nextHeader: 112, length: m.count) : InternetChecksum()
        sum.add(m)
        let c = sum.value
        m[6] = UInt8(c >> 8)
        m[7] = UInt8(c & 0xFF)
        return m
    }

    var v2Bytes: [UInt8] { Self.v2Advert.encode(source: Self.src, destination: Self.dst) }
    var v3Bytes: [UInt8] { Self.v3Advert.encode(source: Self.src, destination: Self.dst) }

    @Test func baselinePacketsAreAccepted() {
        #expect(Self.packet(v2Bytes).decode() == .success(Self.v2Advert))
        #expect(Self.packet(v3Bytes).decode() == .success(Self.v3Advert))
    }

    @Test func ttlMustBe255() {
        let result = Self.packet(v2Bytes, ttl: 254).decode()
        #expect(result == .failure(.ttlNot255(received: 254)))
        #expect(AdvertisementRejection.ttlNot255(received: 254).counterName == "ip_ttl_err")
    }

    @Test func hopLimitMustBe255() {
        let v6Advert = Advertisement(version: .v3, virtualRouterID: Self.vrid, priority: Priority(100),
                                     advertisementInterval: .seconds(1), addresses: [IPAddress("2001:db8::10")!])
        let p = Self.packet(v6Advert.encode(source: Self.src6, destination: Self.dst6), ttl: 1,
                            source: Self.src6, destination: Self.dst6)
        #expect(p.decode() == .failure(.ttlNot255(received: 1)))
    }

    @Test func packetShorterThanFixedHeaderIsRejected() {
        #expect(Self.packet(Array(v2Bytes.prefix(7))).decode() == .failure(.tooShort(length: 7, minimum: 8)))
        #expect(Self.packet([]).decode() == .failure(.tooShort(length: 0, minimum: 8)))
        #expect(AdvertisementRejection.tooShort(length: 0, minimum: 8).counterName == "packet_len_err")
    }

    @Test func lengthMustMatchAddressCount() {
        // v2 without its 8 authentication bytes.
        let cut = Array(v2Bytes.dropLast(8))
        #expect(Self.packet(cut).decode() == .failure(
            .lengthInconsistentWithAddressCount(addressCount: 1, length: 12, expected: 20)))
        // v3 claiming two addresses but carrying one.
        let claimsTwo = Self.patched(v3Bytes, 3, 2)
        #expect(Self.packet(claimsTwo).decode() == .failure(
            .lengthInconsistentWithAddressCount(addressCount: 2, length: 12, expected: 16)))
        // Trailing bytes are not silently ignored either.
        #expect(Self.packet(v3Bytes + [0, 0, 0, 0]).decode() == .failure(
            .lengthInconsistentWithAddressCount(addressCount: 1, length: 16, expected: 12)))
        #expect(AdvertisementRejection.lengthInconsistentWithAddressCount(addressCount: 1, length: 1, expected: 2)
            .counterName == "packet_len_err")
    }

    @Test func versionMustBe2Or3() {
        let v4 = Self.patched(v2Bytes, 0, 0x41)
        #expect(Self.packet(v4).decode() == .failure(.unsupportedVersion(received: 4, family: .ipv4)))
        #expect(AdvertisementRejection.unsupportedVersion(received: 4, family: .ipv4).counterName == "vers_err")
    }

    @Test func version2IsIPv4Only() {
        let v6 = Advertisement(version: .v2, virtualRouterID: Self.vrid, priority: Priority(100),
                               advertisementInterval: .seconds(1), addresses: [])
        let p = Self.packet(v6.encode(source: Self.src6, destination: Self.dst6),
                            source: Self.src6, destination: Self.dst6)
        #expect(p.decode() == .failure(.unsupportedVersion(received: 2, family: .ipv6)))
    }

    @Test func typeMustBeAdvertisement() {
        let type2 = Self.patched(v3Bytes, 0, 0x32)
        #expect(Self.packet(type2).decode() == .failure(.invalidType(received: 2)))
        #expect(AdvertisementRejection.invalidType(received: 2).counterName == "invalid_type_rcvd")
    }

    @Test func v2ChecksumCoversTheMessage() {
        var bad = v2Bytes
        bad[2] ^= 0x01  // priority changed after the checksum was computed
        guard case .failure(.checksumMismatch(let received, let computed)) = Self.packet(bad).decode() else {
            Issue.record("expected a checksum rejection")
            return
        }
        #expect(received == UInt16(v2Bytes[6]) << 8 | UInt16(v2Bytes[7]))
        #expect(computed == UInt16(Self.patched(bad, 2, bad[2])[6]) << 8 | UInt16(Self.patched(bad, 2, bad[2])[7]))
        #expect(AdvertisementRejection.checksumMismatch(received: 0, computed: 0).counterName == "chk_err")
    }

    @Test func v3ChecksumCoversThePseudoHeader() {
        // Same bytes, but from another source address: only the pseudo-header differs.
        let p = Self.packet(v3Bytes, source: IPAddress("192.0.2.2")!)
        guard case .failure(.checksumMismatch) = p.decode() else {
            Issue.record("expected a checksum rejection, got \(p.decode())")
            return
        }
    }

    /// RFC 5798 §5.2.7: Max Adver Int is 1–4095 centiseconds. Zero would give a
    /// backup that adopts it a master-down interval of 0: it would take over at once
    /// from a live master, and again after every step-down.
    @Test func v3MaxAdverIntZeroIsRejected() {
        var zero = Self.patched(v3Bytes, 4, 0)
        zero = Self.patched(zero, 5, 0)
        #expect(Self.packet(zero).decode() == .failure(.zeroAdvertisementInterval))
        #expect(AdvertisementRejection.zeroAdvertisementInterval.counterName == "advert_interval_err")
        // The reserved bits alone set (interval 0 still) is the same rejection.
        #expect(Self.packet(Self.patched(zero, 4, 0xF0)).decode() == .failure(.zeroAdvertisementInterval))
    }

    /// VRID 0 is never configured (RFC 5798 §5.2.3: 1–255); any other VRID is
    /// matched against the instances by the engine.
    @Test func vridZeroIsNeverConfigured() {
        let zero = Self.patched(v2Bytes, 1, 0)
        #expect(Self.packet(zero).decode() == .failure(.virtualRouterIDNotConfigured(received: 0)))
        #expect(AdvertisementRejection.virtualRouterIDNotConfigured(received: 0).counterName == "vrid_err")
    }

    @Test func v2AuthTypeMustBeNoneOrSimplePassword() {
        let ah = Self.patched(v2Bytes, 4, 2)
        #expect(Self.packet(ah).decode() == .failure(.invalidAuthType(received: 2)))
        #expect(AdvertisementRejection.invalidAuthType(received: 2).counterName == "invalid_authtype")
    }
}
