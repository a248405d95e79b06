import PropertyBased
import Testing
import FailoverConfig
import VRRPWire

/// Every value env mode writes into keepalived.conf stays what it was: either the
/// rendered file parses back (through the real parser and builder) to the model it
/// came from, or the environment is refused with an error naming the variable.
@Suite("OPENSHIFT_HA_* values cannot change the shape of keepalived.conf")
struct EnvironmentInjectionTests {
    static let node = NodeIdentity(hostname: "node-a", primaryAddress: IPAddress("192.0.2.11"), interface: "eth0")
    static let base = ["OPENSHIFT_HA_VIRTUAL_IPS": "198.51.100.10", "OPENSHIFT_HA_NETWORK_INTERFACE": "eth0"]

    /// What a value would add after a newline: a block close and an owner instance.
    static let payload = "\n}\nvrrp_instance evil {\n interface eth0\n virtual_router_id 99\n priority 255\n"
        + " virtual_ipaddress {\n  198.51.100.66\n }\n}\nvrrp_script pad {\n script \"/usr/bin/true"

    /// The outcome: the model and its rendering, or the error diagnostics.
    static func outcome(_ environment: [String: String], node: NodeIdentity = node)
        -> (configuration: Configuration?, text: String?, errors: [Diagnostic]) {
        let (configuration, _, diagnostics) = OpenShiftEnvironment.configuration(environment: environment, node: node)
        let text = configuration.map { KeepalivedRenderer.environmentMode(node: node).render($0) }
        return (configuration, text, diagnostics.filter { $0.severity == .error })
    }

    @Test("A newline in OPENSHIFT_HA_CHECK_SCRIPT cannot close vrrp_script and add a priority-255 instance")
    func checkScriptInjectionIsRefused() throws {
        var environment = Self.base
        environment["OPENSHIFT_HA_CHECK_SCRIPT"] = "/usr/bin/true" + Self.payload
        let (configuration, text, errors) = Self.outcome(environment)
        if let text {
            let parsed = TestSupport.parse(text)
            #expect(!parsed.configuration.instances.contains { $0.name == "evil" }, "injected instance rendered:\n\(text)")
        }
        #expect(configuration == nil)
        #expect(errors.map(\.location) == [.environment("OPENSHIFT_HA_CHECK_SCRIPT")])
        #expect(errors.first?.message.contains("U+000A") == true)
    }

    @Test("Control characters, double quotes and backslashes are refused in every value written into keepalived.conf",
          arguments: ["OPENSHIFT_HA_CHECK_SCRIPT", "OPENSHIFT_HA_NOTIFY_SCRIPT", "OPENSHIFT_HA_CONFIG_NAME",
                      "OPENSHIFT_HA_NETWORK_INTERFACE", "OPENSHIFT_HA_UNICAST_PEERS", "OPENSHIFT_HA_PREEMPTION",
                      "OPENSHIFT_HA_VIRTUAL_IPS"])
    func unwritableValuesAreRefused(_ name: String) {
        let valid = [
            "OPENSHIFT_HA_CHECK_SCRIPT": "/usr/bin/true", "OPENSHIFT_HA_NOTIFY_SCRIPT": "/etc/keepalive/notify.sh",
            "OPENSHIFT_HA_CONFIG_NAME": "ipf", "OPENSHIFT_HA_NETWORK_INTERFACE": "eth0",
            "OPENSHIFT_HA_UNICAST_PEERS": "192.0.2.12", "OPENSHIFT_HA_PREEMPTION": "nopreempt",
            "OPENSHIFT_HA_VIRTUAL_IPS": "198.51.100.10",
        ][name]!
        for bad in [Self.payload, "\r", "\u{0}", "\u{7F}", "\u{2028}", "\"", "\\"] {
            var environment = Self.base
            environment[name] = valid + bad + "x"
            let (configuration, text, errors) = Self.outcome(environment)
            #expect(configuration == nil && text == nil, "\(name) = \(String(reflecting: valid + bad)) rendered")
            #expect(!errors.isEmpty && errors.allSatisfy { $0.location == .environment(name) },
                    "\(name): \(errors.map(\.description))")
        }
    }

    @Test("A host name with a newline stays inside the header comment")
    func hostnameStaysInTheComment() throws {
        let node = NodeIdentity(hostname: "node-a\nvrrp_instance evil {", primaryAddress: IPAddress("192.0.2.11"),
                                interface: "eth0")
        let (configuration, text, errors) = Self.outcome(Self.base, node: node)
        #expect(errors.isEmpty)
        let rendered = try #require(text)
        #expect(rendered.contains("# Node: node-a\\u{a}vrrp_instance evil {"))
        let parsed = TestSupport.parse(rendered)
        #expect(parsed.diagnostics.isEmpty, "\(parsed.diagnostics.map(\.description))")
        #expect(parsed.configuration == configuration)
    }

    @Test("An interface name with '#', '!' or braces is quoted in interface and dev, and parses back")
    func interfaceNamesAreQuoted() throws {
        for name in ["a#b", "e!f", "x{y", "p}q"] {
            var environment = Self.base
            environment["OPENSHIFT_HA_NETWORK_INTERFACE"] = name
            let (configuration, text, errors) = Self.outcome(environment)
            #expect(errors.isEmpty, "\(errors.map(\.description))")
            let rendered = try #require(text)
            #expect(rendered.contains("interface \"\(name)\"\n") && rendered.contains("dev \"\(name)\"\n"))
            let parsed = TestSupport.parse(rendered)
            #expect(parsed.diagnostics.isEmpty, "\(name): \(parsed.diagnostics.map(\.description))")
            #expect(parsed.configuration == configuration)
        }
    }

    @Test("A detected interface that keepalived.conf cannot carry is refused, naming OPENSHIFT_HA_NETWORK_INTERFACE")
    func detectedInterfaceIsChecked() {
        let node = NodeIdentity(hostname: "n", primaryAddress: IPAddress("192.0.2.11"), interface: "q\"z")
        var environment = Self.base
        environment["OPENSHIFT_HA_NETWORK_INTERFACE"] = nil
        let (configuration, _, errors) = Self.outcome(environment, node: node)
        #expect(configuration == nil)
        #expect(errors.map(\.location) == [.environment("OPENSHIFT_HA_NETWORK_INTERFACE")])
    }

    static func variableName(_ diagnostic: Diagnostic) -> String? {
        if case .environment(let name) = diagnostic.location { name } else { nil }
    }

    /// The variables whose values reach keepalived.conf, each with realistic values
    /// that arbitrary text is spliced into.
    static let seeds: [(name: String, values: [String])] = [
        ("OPENSHIFT_HA_CONFIG_NAME", ["OpenShift-IPFailover", "ipf", "a.b"]),
        ("OPENSHIFT_HA_VIRTUAL_IPS", ["198.51.100.10", "198.51.100.1-3", "2001:db8::1-3", "198.51.100.5 198.51.100.7"]),
        ("OPENSHIFT_HA_VIP_GROUPS", ["2", "0", "-1"]),
        ("OPENSHIFT_HA_NETWORK_INTERFACE", ["eth0", "a#b", "x{y"]),
        ("OPENSHIFT_HA_MONITOR_PORT", ["80", "0", "8080"]),
        ("OPENSHIFT_HA_CHECK_SCRIPT", ["/usr/bin/true", "/bin/sh -c 'exit 0'", "pgrep haproxy"]),
        ("OPENSHIFT_HA_CHECK_INTERVAL", ["2", "1.5"]),
        ("OPENSHIFT_HA_NOTIFY_SCRIPT", ["/etc/keepalive/notify.sh", "logger -t ipf"]),
        ("OPENSHIFT_HA_PREEMPTION", ["preempt_delay 300", "nopreempt", "preempt"]),
        ("OPENSHIFT_HA_VRRP_ID_OFFSET", ["10", "0"]),
        ("HA_EXCLUDED_VRRP_IDS", ["12", "12,13"]),
        ("OPENSHIFT_HA_REPLICA_COUNT", ["2", "0"]),
        ("OPENSHIFT_HA_UNICAST_PEERS", ["192.0.2.12", "192.0.2.11,192.0.2.12"]),
    ]

    static let alphabet = Array("aZ09/._-:, \t\n\r\"\\{}#!;'é$`()*\u{0}\u{7F}\u{85}\u{2028}") as [Character]
    static let noise = Gen<Character?>.element(of: alphabet).map { $0! }.string(of: 0...6)
    static let splice = Gen.int(in: 0...20)
    static let variable = Gen.int(in: 0...(seeds.count - 1))
    static let seed = Gen.int(in: 0...3)

    @Test("Arbitrary values: what render writes parses back to the same model, or an error names the variable")
    func renderParsesBackOrRefuses() async {
        await propertyCheck(
            count: 1500,
            input: Self.variable, Self.seed, Self.noise, Self.splice, Self.variable, Self.noise, Self.noise
        ) { first, seedIndex, noise, at, second, otherNoise, hostNoise in
            var environment = Self.base
            var touched: Set<String> = []
            for (index, text) in [(first, noise), (second, otherNoise)] {
                let (name, values) = Self.seeds[index]
                var value = values[seedIndex % values.count]
                let position = value.index(value.startIndex, offsetBy: min(at, value.count))
                value.insert(contentsOf: text, at: position)
                environment[name] = value
                touched.insert(name)
            }
            let node = NodeIdentity(hostname: "node" + hostNoise, primaryAddress: IPAddress("192.0.2.11"), interface: "eth0")
            let (configuration, text, errors) = Self.outcome(environment, node: node)
            if let configuration, let text {
                let parsed = TestSupport.parse(text)
                #expect(!parsed.diagnostics.contains { $0.severity == .error },
                        "\(environment): \(parsed.diagnostics.map(\.description))\n\(text)")
                #expect(parsed.configuration == configuration, "\(environment)\n\(text)")
            } else {
                // An error may name a variable the value collides with (e.g. too many VIPs for
                // OPENSHIFT_HA_VRRP_ID_OFFSET), but always a variable, and one that was given.
                touched.insert("OPENSHIFT_HA_VRRP_ID_OFFSET")
                #expect(errors.contains { touched.contains(Self.variableName($0) ?? "") },
                        "\(environment): \(errors.map(\.description))")
                #expect(errors.allSatisfy { Self.variableName($0) != nil }, "\(errors.map(\.description))")
            }
        }
    }
}
