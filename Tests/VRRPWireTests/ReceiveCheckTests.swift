import Testing
import VRRPWire

/// One test per receive check of RFC 5798 §7.1 / RFC 3768 §7.1: each packet is
/// otherwise valid and fails exactly the named check.
@Suite struct ReceiveCheckTests {
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

    static let v2Instance = ReceiveExpectations(
        version: .v2, virtualRouterID: vrid, authentication: .password("OpenShift-IPFailover"),
        advertisementInterval: .seconds(1), addresses: [vip])
    static let v3Instance = ReceiveExpectations(
        version: .v3, virtualRouterID: vrid, advertisementInterval: .milliseconds(100), addresses: [vip])

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
        let pseudo = m[0] >> 4 == 3
            ? PseudoHeader.bytes(source: source, destination: destination, nextHeader: 112, length: m.count) : []
        let c = InternetChecksum.compute(pseudo, m)
        m[6] = UInt8(c >> 8)
        m[7] = UInt8(c & 0xFF)
        return m
    }

    func validate(_ p: ReceivedPacket, _ instance: ReceiveExpectations = v2Instance) -> AdvertisementValidation {
        AdvertisementValidator([instance]).validate(p)
    }

    var v2Bytes: [UInt8] { Self.v2Advert.encode(source: Self.src, destination: Self.dst) }
    var v3Bytes: [UInt8] { Self.v3Advert.encode(source: Self.src, destination: Self.dst) }

    @Test func baselinePacketsAreAccepted() {
        #expect(validate(Self.packet(v2Bytes)) == .accepted(Self.v2Advert, findings: []))
        #expect(validate(Self.packet(v3Bytes), Self.v3Instance) == .accepted(Self.v3Advert, findings: []))
    }

    @Test func ttlMustBe255() {
        let result = validate(Self.packet(v2Bytes, ttl: 254))
        #expect(result == .rejected(.ttlNot255(received: 254)))
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
        #expect(validate(Self.packet(Array(v2Bytes.prefix(7)))) == .rejected(.tooShort(length: 7, minimum: 8)))
        #expect(validate(Self.packet([])) == .rejected(.tooShort(length: 0, minimum: 8)))
        #expect(AdvertisementRejection.tooShort(length: 0, minimum: 8).counterName == "packet_len_err")
    }

    @Test func lengthMustMatchAddressCount() {
        // v2 without its 8 authentication bytes.
        let cut = Array(v2Bytes.dropLast(8))
        #expect(validate(Self.packet(cut)) == .rejected(
            .lengthInconsistentWithAddressCount(addressCount: 1, length: 12, expected: 20)))
        // v3 claiming two addresses but carrying one.
        let claimsTwo = Self.patched(v3Bytes, 3, 2)
        #expect(validate(Self.packet(claimsTwo), Self.v3Instance) == .rejected(
            .lengthInconsistentWithAddressCount(addressCount: 2, length: 12, expected: 16)))
        // Trailing bytes are not silently ignored either.
        #expect(validate(Self.packet(v3Bytes + [0, 0, 0, 0]), Self.v3Instance) == .rejected(
            .lengthInconsistentWithAddressCount(addressCount: 1, length: 16, expected: 12)))
        #expect(AdvertisementRejection.lengthInconsistentWithAddressCount(addressCount: 1, length: 1, expected: 2)
            .counterName == "packet_len_err")
    }

    @Test func versionMustBe2Or3() {
        let v4 = Self.patched(v2Bytes, 0, 0x41)
        #expect(validate(Self.packet(v4)) == .rejected(.unsupportedVersion(received: 4, family: .ipv4)))
        #expect(AdvertisementRejection.unsupportedVersion(received: 4, family: .ipv4).counterName == "vers_err")
    }

    @Test func version2IsIPv4Only() {
        let v6 = Advertisement(version: .v2, virtualRouterID: Self.vrid, priority: Priority(100),
                               advertisementInterval: .seconds(1), addresses: [])
        let p = Self.packet(v6.encode(source: Self.src6, destination: Self.dst6),
                            source: Self.src6, destination: Self.dst6)
        #expect(p.decode() == .failure(.unsupportedVersion(received: 2, family: .ipv6)))
    }

    @Test func versionMustBeTheInstancesVersion() {
        #expect(validate(Self.packet(v3Bytes)) == .rejected(.versionMismatch(received: .v3, expected: .v2)))
        #expect(validate(Self.packet(v2Bytes), ReceiveExpectations(
            version: .v3, virtualRouterID: Self.vrid, advertisementInterval: .seconds(1), addresses: [Self.vip]))
            == .rejected(.versionMismatch(received: .v2, expected: .v3)))
    }

    @Test func typeMustBeAdvertisement() {
        let type2 = Self.patched(v3Bytes, 0, 0x32)
        #expect(validate(Self.packet(type2), Self.v3Instance) == .rejected(.invalidType(received: 2)))
        #expect(AdvertisementRejection.invalidType(received: 2).counterName == "invalid_type_rcvd")
    }

    @Test func v2ChecksumCoversTheMessage() {
        var bad = v2Bytes
        bad[2] ^= 0x01  // priority changed after the checksum was computed
        guard case .rejected(.checksumMismatch(let received, let computed)) = validate(Self.packet(bad)) else {
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
        guard case .rejected(.checksumMismatch) = validate(p, Self.v3Instance) else {
            Issue.record("expected a checksum rejection, got \(validate(p, Self.v3Instance))")
            return
        }
    }

    @Test func vridMustBeConfigured() {
        let other = Self.patched(v2Bytes, 1, 99)
        #expect(validate(Self.packet(other)) == .rejected(.virtualRouterIDNotConfigured(received: 99)))
        #expect(AdvertisementRejection.virtualRouterIDNotConfigured(received: 99).counterName == "vrid_err")
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

    @Test func vridZeroIsNeverConfigured() {
        let zero = Self.patched(v2Bytes, 1, 0)
        #expect(Self.packet(zero).decode() == .failure(.virtualRouterIDNotConfigured(received: 0)))
    }

    @Test func v2AuthTypeMustBeKnown() {
        let ah = Self.patched(v2Bytes, 4, 2)
        #expect(validate(Self.packet(ah)) == .rejected(.invalidAuthType(received: 2)))
        #expect(AdvertisementRejection.invalidAuthType(received: 2).counterName == "invalid_authtype")
    }

    @Test func v2AuthTypeMustMatchTheInstance() {
        let none = Advertisement(version: .v2, virtualRouterID: Self.vrid, priority: Priority(150),
                                 advertisementInterval: .seconds(1), addresses: [Self.vip])
        #expect(validate(Self.packet(none.encode(source: Self.src, destination: Self.dst)))
            == .rejected(.authTypeMismatch(received: 0, expected: 1)))
        #expect(AdvertisementRejection.authTypeMismatch(received: 0, expected: 1).counterName == "authtype_mismatch")
    }

    @Test func v2PasswordMustMatch() {
        var wrong = Self.v2Advert
        wrong.authentication = .password("secret")
        #expect(validate(Self.packet(wrong.encode(source: Self.src, destination: Self.dst)))
            == .rejected(.authenticationFailure))
        #expect(AdvertisementRejection.authenticationFailure.counterName == "auth_failure")
    }

    @Test func v2PasswordIsComparedOnItsFirstEightBytes() {
        // keepalived cuts auth_pass to 8 bytes: "OpenShift-IPFailover" and "OpenShif" agree.
        var short = Self.v2Advert
        short.authentication = .simplePassword(Array("OpenShif".utf8))
        let result = validate(Self.packet(short.encode(source: Self.src, destination: Self.dst)))
        guard case .accepted = result else {
            Issue.record("expected acceptance, got \(result)")
            return
        }
    }

    @Test func v2AdvertisementIntervalMustMatch() {
        var slow = Self.v2Advert
        slow.advertisementInterval = .seconds(2)
        #expect(validate(Self.packet(slow.encode(source: Self.src, destination: Self.dst)))
            == .rejected(.advertisementIntervalMismatch(received: .seconds(2), configured: .seconds(1))))
        #expect(AdvertisementRejection.advertisementIntervalMismatch(received: .zero, configured: .zero)
            .counterName == "advert_interval_err")
    }

    @Test func v3AdvertisementIntervalDifferenceIsOnlyReported() {
        var slow = Self.v3Advert
        slow.advertisementInterval = .seconds(1)
        let result = validate(Self.packet(slow.encode(source: Self.src, destination: Self.dst)), Self.v3Instance)
        let finding = AdvertisementFinding.advertisementIntervalDiffers(
            received: .seconds(1), configured: .milliseconds(100))
        #expect(result == .accepted(slow, findings: [finding]))
        #expect(finding.counterName == nil)
    }

    @Test func addressListMismatchIsCountedButProcessed() {
        var other = Self.v2Advert
        other.addresses = [IPAddress("198.51.100.11")!]
        let result = validate(Self.packet(other.encode(source: Self.src, destination: Self.dst)))
        let finding = AdvertisementFinding.addressListMismatch(missing: [Self.vip],
                                                               unexpected: [IPAddress("198.51.100.11")!])
        #expect(result == .accepted(other, findings: [finding]))
        #expect(finding.counterName == "addr_list_err")
    }

    @Test func addressListMismatchFromNonOwnerIsDroppedUnderRFCPolicy() {
        var instance = Self.v2Instance
        instance.addressListPolicy = .discardUnlessOwner
        var other = Self.v2Advert
        other.addresses = [IPAddress("198.51.100.11")!]
        let rejection = AdvertisementRejection.addressListMismatch(
            missing: [Self.vip], unexpected: [IPAddress("198.51.100.11")!])
        #expect(validate(Self.packet(other.encode(source: Self.src, destination: Self.dst)), instance)
            == .rejected(rejection))
        #expect(rejection.counterName == "addr_list_err")
    }

    @Test func addressListMismatchFromOwnerIsProcessedUnderRFCPolicy() {
        var instance = Self.v2Instance
        instance.addressListPolicy = .discardUnlessOwner
        var owner = Self.v2Advert
        owner.priority = .owner
        owner.addresses = []
        #expect(validate(Self.packet(owner.encode(source: Self.src, destination: Self.dst)), instance)
            == .accepted(owner, findings: [.addressListMismatch(missing: [Self.vip], unexpected: [])]))
    }

    @Test func addressOrderDoesNotMatter() {
        let a = IPAddress("198.51.100.1")!, b = IPAddress("198.51.100.2")!
        let advert = Advertisement(version: .v3, virtualRouterID: Self.vrid, priority: Priority(1),
                                   advertisementInterval: .seconds(1), addresses: [b, a])
        let instance = ReceiveExpectations(version: .v3, virtualRouterID: Self.vrid,
                                           advertisementInterval: .seconds(1), addresses: [a, b])
        #expect(instance.check(advert) == .accepted(advert, findings: []))
    }

    @Test func validatorFindsTheInstanceByVRID() {
        let other = ReceiveExpectations(version: .v3, virtualRouterID: VirtualRouterID(12)!,
                                        advertisementInterval: .seconds(1), addresses: [])
        let validator = AdvertisementValidator([other, Self.v2Instance])
        #expect(validator.validate(Self.packet(v2Bytes)) == .accepted(Self.v2Advert, findings: []))
    }
}
