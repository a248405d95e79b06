import Glibc
import FailoverLab
import Testing

/// The soak's invariant checker, fed clusters that break each rule: it must fire
/// (a checker that never fires would make every soak pass).
@Suite struct SoakInvariantTests {
    static let instances = ["VI_1": ["198.51.100.10"], "VI_2": ["198.51.100.11"]]

    /// a is MASTER of VI_1 and holds its VIP, b of VI_2; the client heard each VIP from its master.
    static var healthy: SoakSnapshot {
        SoakSnapshot(instances: instances,
                     states: ["a": ["VI_1": "MASTER", "VI_2": "BACKUP"], "b": ["VI_1": "BACKUP", "VI_2": "MASTER"]],
                     addresses: ["a": ["198.51.100.10"], "b": ["198.51.100.11"]],
                     answering: ["198.51.100.10": ["a"], "198.51.100.11": ["b"]])
    }

    @Test func settledClusterPasses() {
        #expect(SoakInvariants.settled(Self.healthy, expectedNodes: ["a", "b"]).isEmpty)
    }

    @Test func twoMastersForOneVRIDAreAViolation() {
        var s = Self.healthy
        s.states["b"]!["VI_1"] = "MASTER"
        let problems = SoakInvariants.settled(s, expectedNodes: ["a", "b"])
        #expect(problems.contains { $0.contains("VI_1: 2 MASTERs") }, "\(problems)")
    }

    @Test func noMasterIsAViolation() {
        var s = Self.healthy
        s.states["a"]!["VI_1"] = "BACKUP"
        #expect(SoakInvariants.settled(s, expectedNodes: ["a", "b"]).contains { $0.contains("VI_1: 0 MASTERs") })
    }

    @Test func vipOnANonMasterIsAViolation() {
        var s = Self.healthy
        s.addresses["b"]!.append("198.51.100.10")
        #expect(SoakInvariants.settled(s, expectedNodes: ["a", "b"]).contains { $0.contains("held by non-master b") })
    }

    @Test func masterWithoutItsVIPIsAViolation() {
        var s = Self.healthy
        s.addresses["a"] = []
        #expect(SoakInvariants.settled(s, expectedNodes: ["a", "b"]).contains { $0.contains("does not hold 198.51.100.10") })
    }

    @Test func twoNodesAnsweringOneVIPIsAViolation() {
        var s = Self.healthy
        s.answering!["198.51.100.10"] = ["a", "b"]
        #expect(SoakInvariants.settled(s, expectedNodes: ["a", "b"]).contains { $0.contains("answered by 2 nodes") })
    }

    @Test func aSilentVIPIsReportedNotAViolation() {
        var s = Self.healthy
        s.answering!["198.51.100.11"] = []
        #expect(SoakInvariants.settled(s, expectedNodes: ["a", "b"]).isEmpty)
        #expect(SoakInvariants.silent(s) == ["198.51.100.11"])
    }

    @Test func faultOrMissingNodeIsNotSettled() {
        var s = Self.healthy
        s.states["b"]!["VI_2"] = "FAULT"
        #expect(!SoakInvariants.settled(s, expectedNodes: ["a", "b"]).isEmpty)
        #expect(SoakInvariants.settled(Self.healthy, expectedNodes: ["a", "b", "c"]).contains { $0.contains("c: no state") })
    }

    @Test func notifyDuplicatedOrLostIsAViolation() {
        #expect(SoakInvariants.notifications(["BACKUP", "MASTER"], current: "MASTER", instance: "VI_1", node: "a").isEmpty)
        #expect(SoakInvariants.notifications(["BACKUP", "MASTER", "MASTER"], current: "MASTER", instance: "VI_1", node: "a")
            .contains { $0.contains("twice in a row") })
        #expect(SoakInvariants.notifications(["BACKUP"], current: "MASTER", instance: "VI_1", node: "a")
            .contains { $0.contains("last notify BACKUP, state MASTER") })
        #expect(!SoakInvariants.notifications([], current: "BACKUP", instance: "VI_1", node: "a").isEmpty)
    }

    @Test func growingDescriptorsOrMemoryAreAViolation() {
        #expect(SoakInvariants.resources(fds: [20, 21, 20], rssKiB: [30000, 31000, 30500], node: "a").isEmpty)
        #expect(!SoakInvariants.resources(fds: [20, 25, 40], rssKiB: [30000, 30000, 30000], node: "a").isEmpty)
        #expect(!SoakInvariants.resources(fds: [20, 20, 20], rssKiB: [30000, 60000, 90000], node: "a").isEmpty)
    }

    @Test func rssQuartersAreTheSamplesAtEachQuarterOfTheRun() {
        #expect(SoakReport.Resources.quarters([]) == [])
        #expect(SoakReport.Resources.quarters([7]) == [7, 7, 7, 7, 7])
        #expect(SoakReport.Resources.quarters(Array(100...108)) == [100, 102, 104, 106, 108])
        #expect(SoakReport.Resources.quarters([1, 2, 3, 4, 5, 6]) == [1, 2, 3, 4, 6])
    }

    /// A keepalived node's state is the last transition its own log shows. Its notify
    /// log can show them in another order: keepalived starts each notify script without
    /// waiting for the one before (these lines are from a mixed soak in which the notify
    /// log ended on MASTER while keepalived was BACKUP and held no VIP).
    @Test func keepalivedStateIsTheLastTransitionItLogged() {
        let log = """
        Sun Dec  6 16:22:33 2026: (soak_VI_1) Receive advertisement timeout
        Sun Dec  6 16:22:33 2026: (soak_VI_1) Entering MASTER STATE
        Sun Dec  6 16:22:33 2026: (soak_VI_1) setting VIPs.
        Sun Dec  6 16:22:33 2026: Sending gratuitous ARP on eth0 for 198.51.100.10
        Sun Dec  6 16:22:33 2026: (soak_VI_1) Master received advert from 192.0.2.10 with higher priority 205, ours 160
        Sun Dec  6 16:22:33 2026: (soak_VI_2) Entering FAULT STATE
        Sun Dec  6 16:22:33 2026: (soak_VI_1) Entering BACKUP STATE
        Sun Dec  6 16:22:33 2026: (soak_VI_1) removing VIPs.
        """
        #expect(KeepalivedLog.states(log) == ["soak_VI_1": "BACKUP", "soak_VI_2": "FAULT"])
        #expect(KeepalivedLog.states("") == [:])
    }

    @Test func operatorConfigurationGetsTheLabInterface() {
        let adapted = SoakRun.adapt("vrrp_instance X {\n    interface ens3\n    virtual_ipaddress {\n        192.0.2.1/32 dev ens3\n    }\n}")
        #expect(adapted.contains("    interface eth0\n"))
        #expect(adapted.contains("192.0.2.1/32 dev eth0"))
        #expect(!adapted.contains("ens3"))
    }
}

extension EndToEnd {
    /// Short soaks: every fault kind the machine supports, with a fixed seed; the
    /// invariants' own settle windows are generous (30 s), nothing else is timed.
    @Suite struct Soak {
        @Test func thirtyEventSoakHasNoViolations() async throws {
            let binary = try Scenario.binary()
            let report = try await SoakRun(options: .init(seed: 18, events: 30, binary: binary),
                                           output: { print($0) }).run()
            print(report.humanSummary.joined(separator: "\n"))
            #expect(report.eventsRun == 30)
            #expect(report.violations.isEmpty, "\(report.violations)")
            #expect(report.reconvergence.count == 30)
        }

        @Test("A violation's window is drawn: an election given 1 ms to settle is a violation, and its timeline shows both nodes' lanes")
        func violationWindowIsDrawn() async throws {
            let binary = try Scenario.binary()
            var template = Array("/tmp/ipf-soak-timeline-XXXXXX".utf8CString)
            let dir = String(cString: try #require(mkdtemp(&template)))
            let path = dir + "/ipfailover-soak-5-violation-1.svg"
            defer { unlink(path); rmdir(dir) }
            do {
                _ = try await SoakRun(options: .init(seed: 5, events: 1, nodeCount: 2, binary: binary,
                                                     settleTimeout: .milliseconds(1), stableWindow: .zero,
                                                     timelineDirectory: dir),
                                      output: { print($0) }).run()
                Issue.record("a 1 ms settle timeout was met")
            } catch let failure as SoakRun.Failure {
                #expect(failure.reason.contains("did not elect"), "\(failure)")
            }
            let svg = try #require(LabFile.read(path), "no timeline at \(path)")
            #expect(svg.hasPrefix("<svg ") && svg.hasSuffix("</svg>\n"))
            #expect(svg.contains("violation 1: one MASTER per VRID holding its VIPs"))
            #expect(svg.contains("2 nodes: a, b</text>"), "\(svg.prefix(800))")
            #expect(svg.contains("class=\"state-BACKUP\"") || svg.contains("class=\"state-MASTER\""))
        }

        @Test(.enabled(if: LabRequirements.shouldRun(["ip", "keepalived"]), "needs keepalived"))
        func mixedModeSoakWithKeepalivedHasNoViolations() async throws {
            let binary = try Scenario.binary()
            try LabRequirements.require(["keepalived"])
            let report = try await SoakRun(options: .init(seed: 3, events: 12, keepalivedNode: true, binary: binary),
                                           output: { print($0) }).run()
            print(report.humanSummary.joined(separator: "\n"))
            #expect(report.nodes["c"] == "keepalived")
            #expect(report.violations.isEmpty, "\(report.violations)")
        }
    }
}
