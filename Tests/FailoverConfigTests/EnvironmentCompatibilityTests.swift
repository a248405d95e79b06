import Testing
import FailoverConfig
import VRRPWire

/// Values the OpenShift image turns into a keepalived.conf that keepalived 2.2.7
/// accepts are accepted with the same meaning; values it turns into something
/// keepalived rejects or ignores are refused, naming the variable.
@Suite("OPENSHIFT_HA_* values read as the image reads them")
struct EnvironmentCompatibilityTests {
    static let node = NodeIdentity(hostname: "node-a", primaryAddress: IPAddress("192.0.2.11"), interface: "eth0")
    static let base = ["OPENSHIFT_HA_VIRTUAL_IPS": "198.51.100.10", "OPENSHIFT_HA_NETWORK_INTERFACE": "eth0"]

    static func build(_ extra: [String: String]) -> (configuration: Configuration?, diagnostics: [Diagnostic]) {
        let (configuration, _, diagnostics) = OpenShiftEnvironment.configuration(
            environment: base.merging(extra) { $1 }, node: node)
        return (configuration, diagnostics)
    }

    /// The errors, each as "VARIABLE: message".
    static func errors(_ extra: [String: String]) -> [String] {
        build(extra).diagnostics.filter { $0.severity == .error }.map(\.description)
    }

    @Test("Full-address IPv4 ranges a.b.c.S-a.b.c.E take the end's last octet, as the image does")
    func fullAddressRangeTakesTheLastOctet() throws {
        let (addresses, problems) = VIPListParser().parse("198.51.100.10-198.51.100.12")
        #expect(problems.isEmpty)
        #expect(addresses.map(\.description) == ["198.51.100.10", "198.51.100.11", "198.51.100.12"])
        let c = try #require(Self.build(["OPENSHIFT_HA_VIRTUAL_IPS": "198.51.100.10-198.51.100.12"]).configuration)
        #expect(c.instances.count == 3)
    }

    @Test("A range the image turns into garbage or nothing is refused, naming the variable")
    func garbageRangesAreRefused() {
        // .250-260 → the image writes 198.51.100.256 …; 12-10 → it writes nothing;
        // another /24 as end → it silently uses only the end's last octet.
        for (entry, expected) in [("198.51.100.250-260", "must be a last octet 0…255"),
                                  ("198.51.100.12-10", "range start 12 is above range end 10"),
                                  ("198.51.100.10-198.51.101.12", "is not in the start's 198.51.100.0/24")] {
            let errors = Self.errors(["OPENSHIFT_HA_VIRTUAL_IPS": entry])
            #expect(errors.count == 1 && errors[0].hasPrefix("OPENSHIFT_HA_VIRTUAL_IPS: error: entry '\(entry)'")
                    && errors[0].contains(expected), "\(errors)")
        }
    }

    @Test("OPENSHIFT_HA_REPLICA_COUNT 0 or negative counts as 1, as the image does")
    func replicaCountBelowOneIsOne() throws {
        let one = try #require(Self.build(["OPENSHIFT_HA_REPLICA_COUNT": "1"]).configuration)
        for text in ["0", "-3"] {
            let (configuration, diagnostics) = Self.build(["OPENSHIFT_HA_REPLICA_COUNT": text])
            #expect(diagnostics.isEmpty, "\(diagnostics.map(\.description))")
            #expect(configuration == one)
        }
        #expect(try #require(OpenShiftEnvironment.parse(Self.base.merging(["OPENSHIFT_HA_REPLICA_COUNT": "500"]) { $1 })
            .settings).replicaCount == 500)
    }

    @Test("OPENSHIFT_HA_PREEMPTION takes every preemption line keepalived 2.2.7 accepts in an instance")
    func preemptionLinesKeepalivedAccepts() throws {
        let cases: [(String, Preemption)] = [
            ("preempt", .immediate), ("nopreempt", .disabled), ("preempt_delay 300", .delayed(.seconds(300))),
            ("preempt_delay 1.5", .delayed(.milliseconds(1500))), ("preempt_delay 0", .immediate),
            ("  nopreempt  ", .disabled), ("preempt_delay 1000", .delayed(.seconds(1000))), ("nopreempt\n", .disabled),
        ]
        for (text, expected) in cases {
            let (configuration, diagnostics) = Self.build(["OPENSHIFT_HA_PREEMPTION": text])
            #expect(diagnostics.isEmpty, "\(text): \(diagnostics.map(\.description))")
            #expect(configuration?.instances.first?.preemption == expected, "\(text)")
        }
    }

    @Test("Preemption lines keepalived 2.2.7 rejects or ignores are refused, naming the variable")
    func preemptionLinesKeepalivedRejects() {
        // keepalived -t: 'preempt_delay 2000' and '-1' are out of range, 'preempt_delay' alone
        // cannot start, 'NOPREEMPT' is an unknown keyword (KeepalivedAcceptanceTests).
        for text in ["preempt_delay 2000", "preempt_delay -1", "preempt_delay", "NOPREEMPT", "preempt_delay x",
                     "nopreempt preempt_delay 3"] {
            let errors = Self.errors(["OPENSHIFT_HA_PREEMPTION": text])
            #expect(errors.count == 1 && errors[0].hasPrefix("OPENSHIFT_HA_PREEMPTION: error: '"), "\(text): \(errors)")
        }
    }

    @Test("OPENSHIFT_HA_CHECK_INTERVAL: fractional and 0 read as keepalived 2.2.7 reads them (1 s), with a warning")
    func checkIntervalAsKeepalivedReadsIt() throws {
        for (text, seconds, warns) in [("1.5", 1, true), ("0.5", 1, true), ("0", 1, true), ("3", 3, false),
                                       ("4294", 4294, false), (" 7 ", 7, false)] {
            let (configuration, diagnostics) = Self.build(["OPENSHIFT_HA_CHECK_INTERVAL": text])
            let script = try #require(configuration?.scripts.first, "\(text): \(diagnostics.map(\.description))")
            #expect(script.interval == .seconds(seconds), "\(text)")
            #expect(diagnostics.map(\.description).contains {
                $0.hasPrefix("OPENSHIFT_HA_CHECK_INTERVAL: warning: '\(text)' is read as 1 second")
            } == warns, "\(text): \(diagnostics.map(\.description))")
        }
        for text in ["4295", "-1", "abc", "1.2.3"] {
            let errors = Self.errors(["OPENSHIFT_HA_CHECK_INTERVAL": text])
            #expect(errors.count == 1 && errors[0].hasPrefix("OPENSHIFT_HA_CHECK_INTERVAL: error:"), "\(text): \(errors)")
        }
    }

    @Test("OPENSHIFT_HA_VIP_GROUPS: 0, negative or more groups than VIPs mean one VIP per instance, as in the image")
    func vipGroupsOutOfRangeMeanUngrouped() throws {
        for text in ["0", "-2", "1000"] {
            let (configuration, diagnostics) = Self.build(["OPENSHIFT_HA_VIRTUAL_IPS": "198.51.100.1-3",
                                                           "OPENSHIFT_HA_VIP_GROUPS": text])
            #expect(diagnostics.isEmpty, "\(diagnostics.map(\.description))")
            #expect(configuration?.instances.map(\.virtualIPAddresses.count) == [1, 1, 1], "\(text)")
        }
        #expect(Self.errors(["OPENSHIFT_HA_VIP_GROUPS": "two"]).first?.hasPrefix("OPENSHIFT_HA_VIP_GROUPS: error:") == true)
    }

    @Test("OPENSHIFT_HA_MONITOR_PORT drops non-digits as the image does, with a warning; port 0 spelled otherwise is refused")
    func monitorPortAsTheImageReadsIt() throws {
        for (text, port) in [("8080/tcp", 8080), ("abc", 80), ("80", 80)] {
            let (configuration, diagnostics) = Self.build(["OPENSHIFT_HA_MONITOR_PORT": text])
            let script = try #require(configuration?.scripts.first, "\(diagnostics.map(\.description))")
            #expect(script.script == "/bin/bash -c '</dev/tcp/192.0.2.11/\(port)'")
            #expect(diagnostics.isEmpty == (text == "80"), "\(text): \(diagnostics.map(\.description))")
        }
        for text in ["00", "70000", "123456"] {
            let errors = Self.errors(["OPENSHIFT_HA_MONITOR_PORT": text])
            #expect(errors.count == 1 && errors[0].hasPrefix("OPENSHIFT_HA_MONITOR_PORT: error:"), "\(text): \(errors)")
        }
    }

    @Test("Check and notify commands may be names looked up in PATH, as keepalived runs them")
    func commandsNeedNotBeFullPaths() throws {
        let (configuration, diagnostics) = Self.build(["OPENSHIFT_HA_CHECK_SCRIPT": "pgrep haproxy",
                                                       "OPENSHIFT_HA_NOTIFY_SCRIPT": "logger -t ipfailover"])
        #expect(diagnostics.isEmpty, "\(diagnostics.map(\.description))")
        let c = try #require(configuration)
        #expect(c.scripts.first?.script == "pgrep haproxy")
        #expect(c.instances.first?.notifyScripts.notify == "logger -t ipfailover")
    }

    @Test("Integers with a leading zero are refused: the image computes with them in bash, which reads octal")
    func leadingZeroIntegersAreRefused() {
        for name in ["OPENSHIFT_HA_VRRP_ID_OFFSET", "OPENSHIFT_HA_REPLICA_COUNT", "OPENSHIFT_HA_VIP_GROUPS"] {
            let errors = Self.errors([name: "010"])
            #expect(errors == ["\(name): error: '010' has a leading zero, which the image reads as an octal number; "
                + "write it without the zero"])
        }
    }

    @Test("Config names the image writes into a broken file are refused; others keep the image's password")
    func configNames() throws {
        // The image writes `auth_pass <name>` and `vrrp_script chk_<name>` unquoted: with a space
        // keepalived drops the check from the instance; '#', '!', '{' break the file.
        for name in ["my name", "a#b", "a!b", "a{b", "a}b"] {
            let errors = Self.errors(["OPENSHIFT_HA_CONFIG_NAME": name])
            #expect(errors.count == 1 && errors[0].hasPrefix("OPENSHIFT_HA_CONFIG_NAME: error: '\(name)' contains"),
                    "\(name): \(errors)")
        }
        let c = try #require(Self.build(["OPENSHIFT_HA_CONFIG_NAME": "a.b;c'd"]).configuration)
        #expect(c.instances[0].authentication == .password("a.b;c'd"))
        #expect(c.instances[0].name == "abcd_VIP_1")
    }

    @Test("OPENSHIFT_HA_ADMIN_EMAILS and OPENSHIFT_HA_SMTP_SERVER (read by the image) are accepted with a warning")
    func emailSettingsWarn() throws {
        let (configuration, diagnostics) = Self.build(["OPENSHIFT_HA_ADMIN_EMAILS": "root@localhost",
                                                       "OPENSHIFT_HA_SMTP_SERVER": "192.0.2.25"])
        #expect(configuration != nil)
        #expect(diagnostics.map(\.description) == [
            "OPENSHIFT_HA_ADMIN_EMAILS: warning: ipfailover sends no e-mail alerts; the value is ignored (use OPENSHIFT_HA_NOTIFY_SCRIPT)",
            "OPENSHIFT_HA_SMTP_SERVER: warning: ipfailover sends no e-mail alerts; the value is ignored (use OPENSHIFT_HA_NOTIFY_SCRIPT)",
        ])
    }

    @Test("The image's UNICAST_SOURCE_IPADDRESS and MULTICAST_SOURCE_IPADDRESS set the advert source of their family")
    func sourceAddresses() throws {
        let (configuration, _, diagnostics) = OpenShiftEnvironment.configuration(environment: [
            "OPENSHIFT_HA_VIRTUAL_IPS": "198.51.100.10, 2001:db8::10", "OPENSHIFT_HA_NETWORK_INTERFACE": "eth0",
            "OPENSHIFT_HA_MONITOR_PORT": "0", "OPENSHIFT_HA_UNICAST_PEERS": "192.0.2.11,192.0.2.12,192.0.2.99,2001:db8::2",
            "UNICAST_SOURCE_IPADDRESS": "192.0.2.99", "MULTICAST_SOURCE_IPADDRESS": "2001:db8::1",
        ], node: Self.node)
        #expect(diagnostics.isEmpty, "\(diagnostics.map(\.description))")
        let c = try #require(configuration)
        #expect(c.instances[0].unicastSourceIP == IPAddress("192.0.2.99"))
        #expect(c.instances[0].unicastPeers == [IPAddress("192.0.2.12")!])
        #expect(c.instances[0].multicastSourceIP == nil)
        #expect(c.instances[1].unicastSourceIP == IPAddress("2001:db8::1"))
        #expect(c.instances[1].unicastPeers == [IPAddress("2001:db8::2")!])
        let text = KeepalivedRenderer().render(c)
        #expect(TestSupport.parse(text).configuration == c)
        // Multicast: the source is mcast_src_ip; both given → the unicast one, as keepalived reads the image's lines.
        let multicast = try #require(Self.build([
            "UNICAST_SOURCE_IPADDRESS": "192.0.2.99", "MULTICAST_SOURCE_IPADDRESS": "192.0.2.98"]).configuration)
        #expect(multicast.instances[0].multicastSourceIP == IPAddress("192.0.2.99"))
        #expect(multicast.instances[0].unicastSourceIP == nil)
        #expect(TestSupport.parse(KeepalivedRenderer().render(multicast)).configuration == multicast)
        let bad = Self.errors(["UNICAST_SOURCE_IPADDRESS": "192.0.2.x"])
        #expect(bad == ["UNICAST_SOURCE_IPADDRESS: error: '192.0.2.x' is not an IPv4 or IPv6 address"])
    }
}
