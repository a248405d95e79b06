import Testing
import VRRPCore
import VRRPWire

/// The receive checks of RFC 3768 §7.1 / RFC 5798 §7.1 that compare an advert with the
/// instance's settings, as the daemon runs them: bytes decoded by `ReceivedPacket`
/// (`VRRPWireTests.ReceiveRuleTests` has the checks the packet alone decides), then
/// `VirtualRouter.advertisementReceived`. Also here, elsewhere in this target:
/// version (`ElectionRuleTests`), VRID (`ElectionRuleTests`), password
/// (`ElectionRuleTests`), interval (`StartupAndTimerRuleTests`), address count and
/// list (`ElectionRuleTests`, `FamilyAndReproducibilityTests`).
@Suite struct ReceiveRuleTests {
    static let sender = ip("192.0.2.9")

    /// `advert` on the wire and back, as the engine hands it to the instance.
    static func received(_ advert: Advertisement) -> Advertisement? {
        let destination = IPAddress.v4(.vrrpMulticastGroup)
        let packet = ReceivedPacket(payload: advert.encode(source: sender, destination: destination),
                                    source: sender, destination: destination, ttlOrHopLimit: 255)
        return try? packet.decode().get()
    }

    static func passwordInstance() -> VirtualRouter {
        var c = config(priority: 100)
        c.authentication = .password("OpenShift-IPFailover")
        var r = VirtualRouter(configuration: c)
        _ = r.start(now: .zero)
        return r
    }

    @Test("RFC 3768 §7.1 auth type rule: a v2 advert whose Auth Type differs from the instance's is dropped, counted as authtype_mismatch")
    func authTypeMustMatchTheInstance() throws {
        var r = Self.passwordInstance()
        let none = try #require(Self.received(advert(priority: 150)))
        #expect(r.advertisementReceived(none, from: Self.sender, now: .zero).isEmpty)
        #expect(r.statistics.authTypeMismatch == 1)
        #expect(r.statistics.advertReceived == 0)
        #expect(r.statistics.keepalivedCounters.contains { $0.name == "authtype_mismatch" && $0.value == 1 })
    }

    @Test("RFC 3768 §7.1 password rule: the password is compared as sent, on its first eight bytes (keepalived cuts auth_pass to 8)")
    func passwordIsComparedOnItsFirstEightBytes() throws {
        var r = Self.passwordInstance()
        var a = advert(priority: 150)
        a.authentication = .simplePassword(Array("OpenShif".utf8))
        let short = try #require(Self.received(a))
        _ = r.advertisementReceived(short, from: Self.sender, now: .zero)
        #expect(r.statistics.authFailure == 0)
        #expect(r.statistics.advertReceived == 1)
        #expect(r.masterAddress == Self.sender)
    }

    @Test("RFC 5798 §7.1 address list rule: the same addresses in another order are the same list")
    func addressOrderDoesNotMatter() throws {
        let a = ip("198.51.100.1"), b = ip("198.51.100.2")
        var c = config(priority: 100, version: .v3)
        c.virtualAddresses = [a, b]
        var r = VirtualRouter(configuration: c)
        _ = r.start(now: .zero)
        var reversed = advert(priority: 150, version: .v3)
        reversed.addresses = [b, a]
        let actions = r.advertisementReceived(try #require(Self.received(reversed)), from: Self.sender, now: .zero)
        #expect(actions.isEmpty)
        #expect(r.statistics.addressListError == 0)
        #expect(r.statistics.advertReceived == 1)
    }
}
