import Foundation
import Testing
import FailoverConfig
import VRRPWire

/// The real keepalived (Debian 2.2.7) must accept every file `render` produces with
/// `keepalived -t` exit 0, and its verdicts on the image's renderings back how env
/// mode reads each value. keepalived warns about interfaces that do not exist, so it
/// runs inside a fresh network namespace (`TestNamespace`) that has them.
@Suite("keepalived -t accepts rendered files", .serialized)
struct KeepalivedAcceptanceTests {
    /// Outside CI the test may skip (not root, or keepalived/iproute2 missing); in CI it must run.
    static var canRun: Bool { TestSupport.canRunKeepalived }

    @Test("keepalived -t exits 0 for every golden env render", .enabled(if: canRun,
          "needs root, keepalived and iproute2 (runs in a network namespace); set CI=true to require it"))
    func keepalivedAcceptsRenders() throws {
        let judge = try TestNamespace(interfaces: ["eth0"])
        defer { judge.close() }

        // Negative control: the harness must see keepalived reject a file (unknown keyword).
        let rejected = try judge.verdict(
            "vrrp_instance X {\n interface eth0\n virtual_router_id 1\n no_such_keyword\n virtual_ipaddress {\n  198.51.100.1\n }\n}\n",
            name: "control")
        #expect(rejected.status != 0, "keepalived -t accepted an unknown keyword; the check below would prove nothing")

        for golden in GoldenCase.all {
            let text = try #require(golden.render().text, "\(golden.name) did not render")
            let result = try judge.verdict(text, name: golden.name)
            #expect(result.status == 0, "keepalived -t \(golden.name): exit \(result.status)\n\(result.output)")
        }
    }

    @Test("keepalived -t reads interface names with '#', '!' and braces as env mode quotes them",
          .enabled(if: canRun, "needs root, keepalived and iproute2; set CI=true to require it"))
    func quotedInterfaceNames() throws {
        let names = ["a#b", "e!f", "x{y"]
        let judge = try TestNamespace(interfaces: names)
        defer { judge.close() }
        for name in names {
            let node = NodeIdentity(hostname: "n", primaryAddress: IPAddress("192.0.2.11"), interface: name)
            let (configuration, _, diagnostics) = OpenShiftEnvironment.configuration(
                environment: ["OPENSHIFT_HA_VIRTUAL_IPS": "198.51.100.10", "OPENSHIFT_HA_NETWORK_INTERFACE": name], node: node)
            let model = try #require(configuration, "\(diagnostics.map(\.description))")
            let result = try judge.verdict(KeepalivedRenderer().render(model), name: "if-\(names.firstIndex(of: name)!)")
            #expect(result.status == 0, "\(name): exit \(result.status)\n\(result.output)")
        }
    }

    /// How env mode treats a value, next to keepalived's verdict on the image's rendering of it.
    enum Reading { case accepted, refused, readAsKeepalivedReadsIt }

    /// (variable, value, keepalived 2.2.7 accepts the image's file, what env mode does).
    static let imageCases: [(String, String, Bool, Reading)] = [
        ("OPENSHIFT_HA_PREEMPTION", "preempt", true, .accepted),
        ("OPENSHIFT_HA_PREEMPTION", "nopreempt", true, .accepted),
        ("OPENSHIFT_HA_PREEMPTION", "preempt_delay 300", true, .accepted),
        ("OPENSHIFT_HA_PREEMPTION", "preempt_delay 1.5", true, .accepted),
        ("OPENSHIFT_HA_PREEMPTION", "preempt_delay 2000", false, .refused),
        ("OPENSHIFT_HA_PREEMPTION", "preempt_delay -1", false, .refused),
        ("OPENSHIFT_HA_PREEMPTION", "preempt_delay", false, .refused),
        ("OPENSHIFT_HA_PREEMPTION", "NOPREEMPT", false, .refused),
        ("OPENSHIFT_HA_CHECK_INTERVAL", "2", true, .accepted),
        ("OPENSHIFT_HA_CHECK_INTERVAL", "4294", true, .accepted),
        ("OPENSHIFT_HA_CHECK_INTERVAL", "1.5", false, .readAsKeepalivedReadsIt),
        ("OPENSHIFT_HA_CHECK_INTERVAL", "0", false, .readAsKeepalivedReadsIt),
        ("OPENSHIFT_HA_CHECK_INTERVAL", "4295", false, .refused),
        ("OPENSHIFT_HA_CHECK_INTERVAL", "abc", false, .refused),
        ("OPENSHIFT_HA_CONFIG_NAME", "a.b;c'd", true, .accepted),
        ("OPENSHIFT_HA_CONFIG_NAME", "longer-than-8-bytes", false, .accepted),
        ("OPENSHIFT_HA_CONFIG_NAME", "my name", false, .refused),
        ("OPENSHIFT_HA_CONFIG_NAME", "a#b", false, .refused),
        ("OPENSHIFT_HA_CONFIG_NAME", "a{b", false, .refused),
        ("OPENSHIFT_HA_CONFIG_NAME", "a\"b", false, .refused),
        ("OPENSHIFT_HA_VIRTUAL_IPS", "198.51.100.250-260", false, .refused),
        ("OPENSHIFT_HA_VRRP_ID_OFFSET", "-1", false, .refused),
    ]

    /// The file the image writes for the base environment with `name` = `value`
    /// (its layout, with script security added so that only the line under test decides).
    static func imageRendering(_ name: String, _ value: String) -> String {
        var configName = "ipf-test", preemption = "preempt_delay 300", interval = "2"
        var vips = ["198.51.100.10"], offset = 10
        switch name {
        case "OPENSHIFT_HA_PREEMPTION": preemption = value
        case "OPENSHIFT_HA_CHECK_INTERVAL": interval = value
        case "OPENSHIFT_HA_CONFIG_NAME": configName = value
        case "OPENSHIFT_HA_VIRTUAL_IPS": vips = (250...260).map { "198.51.100.\($0)" }
        case "OPENSHIFT_HA_VRRP_ID_OFFSET": offset = Int(value)!
        default: break
        }
        let scrubbed = EnvironmentSchema.scrub(configName)
        let check = "chk_" + configName.replacingOccurrences(of: "-", with: "_")
        var text = "global_defs {\n   router_id \(scrubbed)\n   enable_script_security\n   script_user root\n}\n"
            + "vrrp_script \(check) {\n   script \"/usr/bin/true\"\n   interval \(interval)\n}\n"
        for (index, vip) in vips.enumerated() {
            text += "vrrp_instance \(scrubbed)_VIP_\(index + 1) {\n   interface eth0\n   virtual_router_id \(offset + index + 1)\n"
                + "   priority 100\n   \(preemption)\n   authentication {\n      auth_type PASS\n      auth_pass \(configName)\n   }\n"
                + "   track_script {\n      \(check)\n   }\n   virtual_ipaddress {\n    \(vip) dev eth0\n   }\n}\n"
        }
        return text
    }

    @Test("keepalived -t verdicts on the image's rendering back each OPENSHIFT_HA_* reading",
          .enabled(if: canRun, "needs root, keepalived and iproute2; set CI=true to require it"))
    func imageRenderingVerdicts() throws {
        let judge = try TestNamespace(interfaces: ["eth0"])
        defer { judge.close() }
        let base = ["OPENSHIFT_HA_VIRTUAL_IPS": "198.51.100.10", "OPENSHIFT_HA_NETWORK_INTERFACE": "eth0",
                    "OPENSHIFT_HA_CONFIG_NAME": "ipf-test"]
        let node = NodeIdentity(hostname: "n", primaryAddress: IPAddress("192.0.2.11"), interface: "eth0")
        for (index, (name, value, keepalivedAccepts, reading)) in Self.imageCases.enumerated() {
            let image = try judge.verdict(Self.imageRendering(name, value), name: "image-\(index)")
            #expect((image.status == 0) == keepalivedAccepts,
                    "\(name)=\(value): keepalived -t on the image's file exited \(image.status)\n\(image.output)")
            let (configuration, _, diagnostics) = OpenShiftEnvironment.configuration(
                environment: base.merging([name: value]) { $1 }, node: node)
            switch reading {
            case .refused:
                #expect(configuration == nil && diagnostics.contains { $0.severity == .error && $0.location == .environment(name) },
                        "\(name)=\(value): \(diagnostics.map(\.description))")
            case .accepted, .readAsKeepalivedReadsIt:
                let model = try #require(configuration, "\(name)=\(value): \(diagnostics.map(\.description))")
                #expect(diagnostics.contains { $0.severity == .warning && $0.location == .environment(name) }
                        == (reading == .readAsKeepalivedReadsIt) || name == "OPENSHIFT_HA_CONFIG_NAME")
                let ours = try judge.verdict(KeepalivedRenderer().render(model), name: "ours-\(index)")
                #expect(ours.status == 0, "\(name)=\(value): keepalived -t on our file exited \(ours.status)\n\(ours.output)")
            }
        }
    }
}
