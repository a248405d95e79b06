import Testing
import FailoverConfig
import VRRPWire

/// Table-driven: each malformed line or variable gives exactly the expected diagnostic
/// (location, severity and text).
@Suite("Bad input → expected diagnostic")
struct BadInputTests {
    struct ConfigCase: Sendable, CustomStringConvertible {
        /// Lines placed inside `vrrp_instance VI { … }` after line 1 (so the first is line 2).
        var body: String
        var expected: [String]
        var description: String { body }
    }

    /// Wraps `body` in a valid instance: line 1 `vrrp_instance VI {`, then `body`,
    /// then interface/VRID/VIP lines.
    static func instance(_ body: String) -> String {
        "vrrp_instance VI {\n\(body)\n interface eth0\n virtual_router_id 50\n virtual_ipaddress {\n  198.51.100.1\n }\n}\n"
    }

    static let configCases: [ConfigCase] = [
        ConfigCase(body: " priority 0", expected: [
            "f:2:11: warning: (VI) priority must be an integer in 1…255, got '0'; default 100 used"]),
        ConfigCase(body: " priority 256", expected: [
            "f:2:11: warning: (VI) priority must be an integer in 1…255, got '256'; default 100 used"]),
        ConfigCase(body: " advert_int 0.5", expected: [
            "f:2:2: warning: (VI) VRRPv2 advert_int 0.5 s must be whole seconds; rounded to 1"]),
        ConfigCase(body: " advert_int x", expected: [
            "f:2:13: warning: 'advert_int' must be seconds in 0.01…255, got 'x'; ignored"]),
        ConfigCase(body: " preempt_delay 1001", expected: [
            "f:2:16: warning: 'preempt_delay' must be seconds in 0…1000, got '1001'; ignored"]),
        ConfigCase(body: " state MASTER\n nopreempt", expected: [
            "f:3:2: warning: (VI) nopreempt does not work with state MASTER; keepalived clears it, and so do we"]),
        ConfigCase(body: " state master-ish", expected: [
            "f:2:8: warning: (VI) 'state' must be MASTER or BACKUP (upper case, as keepalived reads it), got 'master-ish'; BACKUP used"]),
        ConfigCase(body: " frobnicate 3", expected: ["f:2:2: warning: unknown keyword 'frobnicate' in vrrp_instance; ignored"]),
        ConfigCase(body: " use_vmac", expected: [
            "f:2:2: warning: 'use_vmac' in vrrp_instance is not supported by ipfailover; ignored"]),
        ConfigCase(body: " authentication {\n  auth_type PASS\n  auth_pass 123456789\n }", expected: [
            "f:4:13: warning: (VI) auth_pass is longer than 8 bytes; truncated to '12345678'"]),
        ConfigCase(body: " track_script {\n  chk_missing\n }", expected: [
            "f:3:3: warning: (VI) track_script 'chk_missing' is not defined by any vrrp_script; ignored"]),
        ConfigCase(body: " unicast_src_ip 192.0.2.1", expected: [
            "f:2:2: warning: (VI) a unicast keyword is given without any unicast peers; multicast is used"]),
        ConfigCase(body: " unicast_peer {\n  192.0.2.300\n }", expected: [
            "f:3:3: warning: 'unicast_peer' expects an IPv4 or IPv6 address, got '192.0.2.300'; ignored",
            "f:2:2: warning: (VI) a unicast keyword is given without any unicast peers; multicast is used",
        ].sorted()),
        ConfigCase(body: " virtual_ipaddress_excluded {\n  198.51.100.7/33\n }", expected: [
            "f:3:3: warning: prefix length /33 is out of range for 198.51.100.7; address ignored"]),
        // The first VIP sets the family (here the IPv6 one, written before the wrapper's IPv4 VIP).
        ConfigCase(body: " virtual_ipaddress {\n  2001:db8::1\n }", expected: [
            "f:1:1: warning: (VI) VRRPv2 cannot carry IPv6 addresses; version 3 used",
            "f:8:3: warning: (VI) 198.51.100.1 is IPv4 but the instance is IPv6 (first address 2001:db8::1); ignored"]),
        ConfigCase(body: " virtual_ipaddress {\n  198.51.100.2 brd 198.51.100.255\n }", expected: [
            "f:3:16: warning: virtual address option 'brd' is not supported; ignored"]),
        ConfigCase(body: " interface", expected: ["f:2:2: warning: 'interface' needs a value; ignored"]),
        ConfigCase(body: " notify", expected: ["f:2:2: warning: 'notify' needs a command; ignored"]),
        ConfigCase(body: " down_timer_adverts 0", expected: [
            "f:2:21: warning: 'down_timer_adverts' must be an integer in 1…100, got '0'; ignored"]),
        ConfigCase(body: " virtual_ipaddress_excluded {\n  198.51.100.1/32\n  198.51.100.9\n  198.51.100.9\n }", expected: [
            "f:3:3: warning: (VI) 198.51.100.1 is already listed at line 10; ignored",
            "f:5:3: warning: (VI) 198.51.100.9 is already listed at line 4; ignored"]),
        ConfigCase(body: " nopreempt {\n  priority 200\n }", expected: [
            "f:2:2: warning: 'nopreempt' takes no block; block ignored"]),
        ConfigCase(body: " script \"unterminated", expected: [
            "f:2:9: warning: unterminated quoted string; it runs to the end of the line",
            "f:2:2: warning: unknown keyword 'script' in vrrp_instance; ignored",
        ].sorted()),
    ]

    @Test("A malformed line inside vrrp_instance gives the expected diagnostic", arguments: configCases)
    func malformedInstanceLine(_ c: ConfigCase) {
        let result = KeepalivedConfigParser().parse(Self.instance(c.body), file: "f")
        #expect(result.diagnostics.map(\.description).sorted() == c.expected.sorted())
    }

    static let wholeFileCases: [(String, [String])] = [
        ("vrrp_instance VI {\n interface eth0\n virtual_router_id 0\n}", [
            "f:3:20: error: (VI) virtual_router_id must be an integer in 1…255, got '0'; instance not started"]),
        ("vrrp_instance VI {\n virtual_router_id 3\n}", [
            "f:1:1: error: (VI) no 'interface' given; instance not started"]),
        ("vrrp_instance VI {\n interface eth0\n}", [
            "f:1:1: error: (VI) no 'virtual_router_id' given; instance not started"]),
        // Without a value the instance cannot start: an error (was a warning, while
        // the instance was silently dropped).
        ("vrrp_instance VI {\n interface eth0\n virtual_router_id\n}", [
            "f:3:2: error: (VI) 'virtual_router_id' needs a value; instance not started"]),
        ("vrrp_instance {\n}", ["f:1:1: error: 'vrrp_instance' needs a name"]),
        ("vrrp_instance VI\n", ["f:1:1: error: 'vrrp_instance' needs a '{ … }' block"]),
        ("virtual_server 10.0.0.1 80 {\n real_server 10.0.0.2 80 {\n  weight 1\n }\n}", [
            "f:1:1: warning: unsupported section 'virtual_server' skipped (ipfailover implements the VRRP subset only)"]),
        ("static_ipaddress {\n 192.0.2.5 dev eth0\n}", [
            "f:1:1: warning: unsupported section 'static_ipaddress' skipped (ipfailover implements the VRRP subset only)"]),
        ("bogus_section {\n}", ["f:1:1: warning: unknown keyword 'bogus_section'; ignored"]),
        ("global_defs {\n vrrp_version 4\n}", ["f:2:15: warning: 'vrrp_version' must be an integer in 2…3, got '4'; ignored"]),
        ("global_defs {\n vrrp_mcast_group4 10.0.0.1\n}", [
            "f:2:20: warning: 'vrrp_mcast_group4' expects an IPv4 multicast address, got '10.0.0.1'; ignored"]),
        ("global_defs {\n vrrp_strict\n}\nvrrp_instance VI {\n interface eth0\n virtual_router_id 1\n authentication {\n  auth_type PASS\n  auth_pass x\n }\n virtual_ipaddress {\n  198.51.100.1\n }\n}", [
            "f:7:2: warning: (VI) vrrp_strict does not allow authentication; ignored"]),
        ("vrrp_script s {\n interval 2\n}", ["f:1:1: warning: vrrp_script 's' has no 'script'; ignored"]),
        ("vrrp_script s {\n script /bin/true\n weight 300\n}\nglobal_defs {\n enable_script_security\n}", [
            "f:3:9: warning: 'weight' must be an integer in -253…253, got '300'; ignored"]),
        ("vrrp_sync_group G {\n group {\n  nope\n }\n}", [
            "f:3:3: warning: (G) sync group member 'nope' is not a (valid) vrrp_instance; ignored"]),
        ("$IF=eth0\n", ["f:1:1: warning: parameter definitions and substitution ('$IF=eth0') are not supported; line ignored"]),
        ("include\n", ["f:1:1: warning: 'include' expects exactly one file name or pattern"]),
    ]

    @Test("Whole-file problems: VRID range, missing interface, names, blocks, unsupported sections")
    func wholeFile() {
        for (text, expected) in Self.wholeFileCases {
            let result = KeepalivedConfigParser().parse(text, file: "f")
            #expect(result.diagnostics.map(\.description) == expected, "\(text)")
        }
    }

    @Test("script_user (global_defs) and user (vrrp_script) read USER [GROUP] alike: a missing user and extra words are reported",
          arguments: [
              ("global_defs {\n script_user\n}", "f:2:2: warning: 'script_user' needs a user name; ignored"),
              ("global_defs {\n script_user nobody nogroup extra\n}", "f:2:29: warning: extra words after 'script_user' ignored"),
              ("vrrp_script s {\n script /bin/true\n user\n}\nglobal_defs {\n enable_script_security\n}", "f:3:2: warning: 'user' needs a user name; ignored"),
              ("vrrp_script s {\n script /bin/true\n user nobody nogroup extra\n}\nglobal_defs {\n enable_script_security\n}", "f:3:22: warning: extra words after 'user' ignored"),
          ])
    func scriptCredentialsAreReadAlike(text: String, expected: String) {
        let result = KeepalivedConfigParser().parse(text, file: "f")
        #expect(result.diagnostics.map(\.description) == [expected])
    }

    @Test("A second vrrp_script, vrrp_instance or vrrp_sync_group of one name is ignored and reported; for an instance as an error")
    func secondDefinitionIsIgnored() {
        let twice = { (section: String) in section + "\n" + section }
        let cases: [(String, String)] = [
            (twice("vrrp_script s {\n script /bin/true\n}"), "f:4:1: warning: vrrp_script 's' is defined twice; the second definition is ignored"),
            (twice(Self.instance(" priority 100")), "f:10:1: error: vrrp_instance 'VI' is defined twice; the second definition is ignored"),
            (Self.instance(" priority 100") + twice("vrrp_sync_group G {\n group {\n  VI\n }\n}"),
             "f:14:1: warning: vrrp_sync_group 'G' is defined twice; the second definition is ignored"),
        ]
        for (text, expected) in cases {
            let result = KeepalivedConfigParser().parse(text, file: "f")
            #expect(result.diagnostics.map(\.description).contains(expected), "\(result.diagnostics)")
        }
    }

    @Test("Every problem is reported at once, in line order")
    func allAtOnce() {
        let result = KeepalivedConfigParser().parse(Self.instance(" priority 0\n advert_int x\n frobnicate"), file: "f")
        #expect(result.diagnostics.map { $0.location.description } == ["f:2:11", "f:3:13", "f:4:2"])
    }

    // MARK: - Environment

    static let node = NodeIdentity(hostname: "n", primaryAddress: IPAddress("192.0.2.11"), interface: "eth0")

    static let environmentCases: [([String: String], [String])] = [
        ([:], ["OPENSHIFT_HA_VIRTUAL_IPS: error: is required (addresses or ranges, at most 4,096 in all; no duplicates)"]),
        (["OPENSHIFT_HA_VIRTUAL_IPS": "198.51.100.1,198.51.100.x"], [
            "OPENSHIFT_HA_VIRTUAL_IPS: error: entry '198.51.100.x': expected an IPv4 address, an IPv6 address, an IPv4 "
                + "range a.b.c.S-E or a.b.c.S-a.b.c.E (last octet) or an IPv6 range prefix:X-Y (last group, hex)"]),
        (["OPENSHIFT_HA_VIRTUAL_IPS": "198.51.100.9-3"], [
            "OPENSHIFT_HA_VIRTUAL_IPS: error: entry '198.51.100.9-3': range start 9 is above range end 3"]),
        (["OPENSHIFT_HA_VIRTUAL_IPS": "198.51.100.9-256"], [
            "OPENSHIFT_HA_VIRTUAL_IPS: error: entry '198.51.100.9-256': range end '256' must be a last octet 0…255 or "
                + "an address in the same /24"]),
        (["OPENSHIFT_HA_VIRTUAL_IPS": "2001:db8::1-g"], [
            "OPENSHIFT_HA_VIRTUAL_IPS: error: entry '2001:db8::1-g': range end 'g' must be a last group 0…ffff (hex)"]),
        (["OPENSHIFT_HA_VIRTUAL_IPS": "198.51.100.1 198.51.100.1"], [
            "OPENSHIFT_HA_VIRTUAL_IPS: error: entry '198.51.100.1': address 198.51.100.1 is listed more than once"]),
        (["OPENSHIFT_HA_VIRTUAL_IPS": "198.51.100.1", "OPENSHIFT_HA_MONITOR_PORT": "70000"], [
            "OPENSHIFT_HA_MONITOR_PORT: error: '70000' is not a port 0…65535 (the image's check could never connect)"]),
        (["OPENSHIFT_HA_VIRTUAL_IPS": "198.51.100.1", "OPENSHIFT_HA_PREEMPTION": "preempt_delay soon"], [
            "OPENSHIFT_HA_PREEMPTION: error: 'preempt_delay soon' is not 'preempt', 'nopreempt' or 'preempt_delay N' "
                + "with N in 0…1000 (the image writes the value into each instance, where keepalived 2.2.7 accepts only these)"]),
        (["OPENSHIFT_HA_VIRTUAL_IPS": "198.51.100.1", "OPENSHIFT_HA_CHECK_SCRIPT": "/check.sh\n}"], [
            "OPENSHIFT_HA_CHECK_SCRIPT: error: contains the control character U+000A; a value written into "
                + "keepalived.conf must stay on one line"]),
        (["OPENSHIFT_HA_VIRTUAL_IPS": "198.51.100.1", "HA_EXCLUDED_VRRP_IDS": "9,300"], [
            "HA_EXCLUDED_VRRP_IDS: error: entry '300': expected a VRID 1…255 or a range N-M"]),
        (["OPENSHIFT_HA_VIRTUAL_IPS": "198.51.100.1-2", "OPENSHIFT_HA_VRRP_ID_OFFSET": "254"], [
            "OPENSHIFT_HA_VRRP_ID_OFFSET: error: 2 instances from offset 254 need VRID 256, above 255; lower the offset "
                + "or use OPENSHIFT_HA_VIP_GROUPS"]),
        (["OPENSHIFT_HA_VIRTUAL_IPS": "198.51.100.1-254", "HA_EXCLUDED_VRRP_IDS": "9"], [
            "OPENSHIFT_HA_VRRP_ID_OFFSET: error: 254 instances from offset 10 skipping 1 excluded IDs need VRID 256, "
                + "above 255; lower the offset or use OPENSHIFT_HA_VIP_GROUPS"]),
        (["OPENSHIFT_HA_VIRTUAL_IPS": "198.51.100.1", "OPENSHIFT_HA_CONFIG_NAME": "..."], [
            "OPENSHIFT_HA_CONFIG_NAME: error: '...' has no character in [A-Za-z0-9_-]"]),
        (["OPENSHIFT_HA_VIRTUAL_IPS": "198.51.100.1", "OPENSHIFT_HA_CONFIG_NAME": "!!!"], [
            "OPENSHIFT_HA_CONFIG_NAME: error: '!!!' contains '!'; the image writes the name unquoted into "
                + "keepalived.conf, where it splits or ends the word"]),
        (["OPENSHIFT_HA_VIRTUAL_IPS": "198.51.100.1", "OPENSHIFT_HA_VIP_GRUOPS": "2"], [
            "OPENSHIFT_HA_VIP_GRUOPS: warning: unknown variable; ignored"]),
        (["OPENSHIFT_HA_VIRTUAL_IPS": "198.51.100.1", "OPENSHIFT_HA_UNICAST_PEERS": "192.0.2.11"], [
            "OPENSHIFT_HA_UNICAST_PEERS: error: lists no IPv4 peer other than this node for instance OpenShift_IPFailover_VIP_1"]),
        (["OPENSHIFT_HA_VIRTUAL_IPS": "198.51.100.1,2001:db8::1", "OPENSHIFT_HA_VIP_GROUPS": "1"], [
            "OPENSHIFT_HA_VIRTUAL_IPS: error: instance 1 would mix IPv4 and IPv6 (198.51.100.1, 2001:db8::1); order the "
                + "list or set OPENSHIFT_HA_VIP_GROUPS so each group has one family"]),
        (["OPENSHIFT_HA_VIRTUAL_IPS": "198.51.100.1", "OPENSHIFT_HA_PREEMPTION": "preempt_nodelay 300"], [
            "OPENSHIFT_HA_PREEMPTION: warning: 'preempt_nodelay' (a typo in the OpenShift documentation) is read as 'preempt_delay'"]),
    ]

    @Test("A malformed variable gives an error naming the variable, the entry and the expectation")
    func malformedVariables() {
        for (environment, expected) in Self.environmentCases {
            let (_, _, diagnostics) = OpenShiftEnvironment.configuration(environment: environment, node: Self.node)
            #expect(diagnostics.map(\.description) == expected, "\(environment)")
        }
    }

    @Test("The default TCP check needs the node's address")
    func defaultCheckNeedsAddress() {
        let (configuration, _, diagnostics) = OpenShiftEnvironment.configuration(
            environment: ["OPENSHIFT_HA_VIRTUAL_IPS": "198.51.100.1"],
            node: NodeIdentity(hostname: "n", interface: "eth0"))
        #expect(configuration == nil)
        #expect(diagnostics.map(\.location.description) == ["OPENSHIFT_HA_MONITOR_PORT"])
    }
}
