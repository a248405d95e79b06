import FailoverTestKit
import Testing
import VRRPCore
import VRRPWire

@Suite("IPv6, address lists and reproducibility")
struct FamilyAndReproducibilityTests {
    func v6Config(address: String, priority: UInt8 = 100) -> VirtualRouterConfiguration {
        VirtualRouterConfiguration(
            name: "VI_6", virtualRouterID: vrid(7), version: .v3, priority: Priority(priority),
            advertisementInterval: .milliseconds(100), primaryAddress: ip(address),
            virtualAddresses: [ip("2001:db8::100")])
    }

    func v6Advert(priority: UInt8) -> Advertisement {
        Advertisement(version: .v3, virtualRouterID: vrid(7), priority: Priority(priority),
                      advertisementInterval: .milliseconds(100), addresses: [ip("2001:db8::100")])
    }

    @Test("IPv6 equal priority: the higher link address wins")
    func ipv6Tiebreak() {
        var (low, t) = master(v6Config(address: "fe80::1"))
        #expect(low.advertisementReceived(v6Advert(priority: 100), from: ip("fe80::2"), now: t).notifiedStates == [.backup])
        var (high, t2) = master(v6Config(address: "fe80::2"))
        #expect(high.advertisementReceived(v6Advert(priority: 100), from: ip("fe80::1"), now: t2).sentPriorities == [100])
    }

    @Test("an advert from the other address family is not processed")
    func otherFamily() {
        var r = VirtualRouter(configuration: v6Config(address: "fe80::1"))
        _ = r.start(now: .zero)
        _ = r.advertisementReceived(v6Advert(priority: 0), from: ip("192.0.2.9"), now: .zero)
        #expect(r.statistics.foreignAdvertisement == 1)
    }

    @Test("a virtual address of the other family is dropped with a warning")
    func wrongFamilyVIP() {
        var c = v6Config(address: "fe80::1")
        c.virtualAddresses.append(ip("198.51.100.1"))
        let r = VirtualRouter(configuration: c)
        #expect(r.configuration.virtualAddresses == [ip("2001:db8::100")])
        #expect(r.warnings == [.virtualAddressFamilyMismatch(instance: "VI_6", address: ip("198.51.100.1"))])
    }

    @Test("an address list that differs from ours is counted and still processed")
    func addressListMismatch() {
        var r = VirtualRouter(configuration: config(priority: 100))
        _ = r.start(now: .zero)
        var a = advert(priority: 200)
        a.addresses = [ip("198.51.100.99")]
        _ = r.advertisementReceived(a, from: ip("192.0.2.9"), now: at(.seconds(1)))
        #expect(r.statistics.addressListError == 1)
        #expect(r.nextDeadline == at(.seconds(1)) + r.masterDownInterval)
    }

    @Test("a result for a script the instance does not track changes nothing")
    func untrackedScript() {
        var r = VirtualRouter(configuration: config())
        _ = r.start(now: .zero)
        #expect(r.checkResult(script: "other", succeeded: false, now: .zero).isEmpty)
        #expect(r.state == .backup)
    }

    @Test("the same seed reproduces the same run")
    func reproducible() {
        func run() -> [SimulationTraceEntry] {
            let scenario = RandomScenario(seed: 77)
            var sim = scenario.makeSegment()
            sim.startAll()
            sim.run(schedule: scenario.schedule)
            sim.run(for: .seconds(20))
            return sim.trace
        }
        let first = run()
        #expect(first.count > 50)
        #expect(first == run())
    }
}
