import Foundation
import Testing
import FailoverConfig
import VRRPWire

/// Every sample shipped in Debian's keepalived package goes through the parser without
/// a crash; VRRP ones parse to the expected model, LVS ones warn "unsupported" with a
/// location.
@Suite("keepalived's shipped samples")
struct SampleConfigTests {
    static let directory = "/usr/share/doc/keepalived/samples"
    static var present: Bool { FileManager.default.fileExists(atPath: directory) }

    /// The sample's text; `.gz` files are decompressed with gzip.
    static func text(_ name: String) throws -> String {
        let path = "\(directory)/\(name)"
        if name.hasSuffix(".gz") {
            let gzip = try #require(TestSupport.tool("/usr/bin/gzip", "/bin/gzip"), "gzip is needed for \(name)")
            return try TestSupport.run([gzip, "-dc", path]).output
        }
        return try String(decoding: Data(contentsOf: URL(fileURLWithPath: path)), as: UTF8.self)
    }

    static func parse(_ name: String) throws -> KeepalivedConfigParser.Result {
        KeepalivedConfigParser(source: FileConfigSource()).parse(try text(name), file: name)
    }

    @Test("Every sample parses without a crash and every diagnostic has a location",
          .enabled(if: TestSupport.isCI || present, "Debian package keepalived is not installed; set CI=true to require it"))
    func everySampleParses() throws {
        try #require(Self.present, "\(Self.directory) is missing (install Debian package keepalived)")
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.directory).sorted()
        #expect(names.filter { $0.hasPrefix("keepalived.conf") }.count >= 20)
        for name in names {
            let result = try Self.parse(name)
            for diagnostic in result.diagnostics {
                if case .source(let location) = diagnostic.location {
                    #expect(location.line >= 1 && location.column >= 1, "\(diagnostic)")
                } else {
                    Issue.record("\(name): diagnostic without a location: \(diagnostic)")
                }
            }
        }
    }

    @Test("keepalived.conf.vrrp parses to the expected instances",
          .enabled(if: TestSupport.isCI || present, "Debian package keepalived is not installed"))
    func vrrpSample() throws {
        let result = try Self.parse("keepalived.conf.vrrp")
        let c = result.configuration
        #expect(c.globalDefinitions.routerID == "LVS_DEVEL")
        #expect(c.instances.map(\.name) == ["VI_1", "VI_2", "VI_3", "VI_4"])
        let vi1 = c.instances[0]
        #expect(vi1.state == .master)
        #expect(vi1.interface == "eth0")
        #expect(vi1.virtualRouterID == VirtualRouterID(51))
        #expect(vi1.garpMasterDelay == .seconds(10))
        #expect(vi1.authentication == .password("1111"))
        // The sample's own addresses (parsed only, never configured). It lists
        // 192.168.200.18 twice on one device, the second time with a label: the
        // kernel can hold it once, so the second entry is reported and dropped.
        #expect(vi1.virtualIPAddresses.map(\.description) == [
            "192.168.200.16", "192.168.200.17", "192.168.200.18",
        ])
        #expect(result.diagnostics.contains { $0.description.contains("(VI_1) 192.168.200.18 is already listed at line") })
        #expect(c.instances[3].interface == "eth1")
        #expect(c.instances[3].priority == Priority(50))
        #expect(result.status == .adjusted)
    }

    @Test("keepalived.conf.vrrp.localcheck: scripts, per-instance weights and tracked interfaces",
          .enabled(if: TestSupport.isCI || present, "Debian package keepalived is not installed"))
    func localcheckSample() throws {
        let result = try Self.parse("keepalived.conf.vrrp.localcheck")
        let c = result.configuration
        #expect(c.scripts.map(\.name) == ["chk_sshd", "chk_haproxy", "chk_http_port", "chk_https_port", "chk_smtp_port"])
        #expect(c.scripts[0] == VRRPScript(name: "chk_sshd", script: "killall -0 sshd", interval: .seconds(2),
                                           weight: -4, rise: 2, fall: 2))
        #expect(c.instances.count == 9)
        #expect(c.instances[0].trackScripts[1] == TrackEntry(name: "chk_haproxy", weight: 2))
        #expect(c.instances[0].trackInterfaces == [
            TrackEntry(name: "eth1", weight: 2), TrackEntry(name: "eth2", weight: -2), TrackEntry(name: "eth3"),
        ])
        #expect(c.instances[0].virtualIPAddresses[0].prefixLength == 25)
        #expect(result.status == .scriptsWithoutSecurity)
    }

    @Test("keepalived.conf.vrrp.sync: sync groups with notify scripts",
          .enabled(if: TestSupport.isCI || present, "Debian package keepalived is not installed"))
    func syncSample() throws {
        let c = try Self.parse("keepalived.conf.vrrp.sync").configuration
        #expect(c.syncGroups.map(\.name) == ["G1", "G2"])
        #expect(c.syncGroups[0].group == ["VI_1", "VI_2", "VI_5", "VI_6", "VI_7", "VI_8", "VI_9"])
        #expect(c.syncGroups[0].notifyScripts.notifyMaster == "/usr/local/bin/vrrp.mast arg1 arg2")
    }

    @Test("LVS samples yield 'unsupported section' warnings at the section's line",
          .enabled(if: TestSupport.isCI || present, "Debian package keepalived is not installed"))
    func lvsSamplesWarn() throws {
        let result = try Self.parse("keepalived.conf.IPv6")
        #expect(result.diagnostics.map(\.description) == [
            "keepalived.conf.IPv6:7:1: warning: unsupported section 'virtual_server_group' skipped (ipfailover implements the VRRP subset only)",
            "keepalived.conf.IPv6:13:1: warning: unsupported section 'virtual_server' skipped (ipfailover implements the VRRP subset only)",
        ])
        #expect(result.configuration.instances.isEmpty)
        let sample = try Self.parse("keepalived.conf.sample")
        #expect(sample.diagnostics.contains {
            $0.description == "keepalived.conf.sample:26:1: warning: unsupported section 'virtual_server' skipped (ipfailover implements the VRRP subset only)"
        })
    }
}
