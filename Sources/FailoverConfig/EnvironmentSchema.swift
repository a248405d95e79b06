import VRRPWire

/// One `OPENSHIFT_HA_*` variable: the single source for parsing, defaults and docs
/// (`ipfailover render --env-help`, docs/configuration.md).
public struct EnvironmentVariable: Sendable {
    /// The variable name.
    public var name: String
    /// The value's type, as documented.
    public var type: String
    /// The default as text (parsed like a given value); nil = none.
    public var defaultValue: String?
    /// True when there is no default and the variable must be set.
    public var isRequired: Bool
    /// What it does.
    public var doc: String
    /// What values are accepted.
    public var validation: String
    /// Parses `text` into the settings; throws with a message naming the bad part.
    var apply: @Sendable (String, inout OpenShiftEnvironment) throws(EnvironmentValueError) -> Void
    /// For a valid value read differently from how it is written (as the image and
    /// keepalived read it): what it means, for a warning.
    var note: @Sendable (String) -> String? = { _ in nil }
}

/// The table of `OPENSHIFT_HA_*` variables (design brief §5), in documentation order.
public enum EnvironmentSchema {
    public static let variables: [EnvironmentVariable] = [
        EnvironmentVariable(
            name: "OPENSHIFT_HA_CONFIG_NAME", type: "name", defaultValue: "OpenShift-IPFailover", isRequired: false,
            doc: "Names everything: router_id and instance prefix (scrubbed: only [A-Za-z0-9_-] kept, '-' → '_'), "
                + "the check chk_<scrubbed>, and the PASS password (first 8 bytes go on the wire).",
            validation: "at least one character in [A-Za-z0-9_-]; no whitespace, control characters, quotes, "
                + "backslashes, braces, '#' or '!'",
            apply: { text, s throws(EnvironmentValueError) in s.configName = try configName(text) }),
        EnvironmentVariable(
            name: "OPENSHIFT_HA_VIRTUAL_IPS", type: "address list", defaultValue: nil, isRequired: true,
            doc: "The VIPs, separated by commas and/or spaces. IPv4 a.b.c.S-E ranges vary the last octet (the "
                + "image's a.b.c.S-a.b.c.E form too: only the end's last octet counts); IPv6 prefix:X-Y ranges vary "
                + "the last group (hex). A malformed entry, or a range the image would turn into invalid addresses "
                + "or nothing, is an error.",
            validation: "addresses or ranges, at most 4,096 in all; no duplicates",
            apply: { text, s throws(EnvironmentValueError) in
                let (addresses, problems) = VIPListParser().parse(text)
                if !problems.isEmpty { throw EnvironmentValueError(problems.joined(separator: "; ")) }
                if addresses.isEmpty { throw EnvironmentValueError("lists no address") }
                s.virtualIPs = addresses
            }),
        EnvironmentVariable(
            name: "OPENSHIFT_HA_VIP_GROUPS", type: "integer", defaultValue: nil, isRequired: false,
            doc: "Split the VIPs into this many instances (contiguous; the first total % N get one extra: "
                + "7 in 3 → 3,2,2). Unset, 0 or less, or more groups than VIPs: one VIP per instance.",
            validation: "an integer (≤ 0: ungrouped)",
            apply: { text, s throws(EnvironmentValueError) in
                let n = try integer(text, Int.min...Int.max)
                s.vipGroups = n <= 0 ? nil : n
            }),
        EnvironmentVariable(
            name: "OPENSHIFT_HA_NETWORK_INTERFACE", type: "interface", defaultValue: nil, isRequired: false,
            doc: "Interface for VRRP and the VIPs. Unset: as the image, the first existing of enp0s3, enp0s8, "
                + "eth1, ens3, else the interface of the route toward 8.8.8.8 (the default route's, usually).",
            validation: "a Linux interface name: 1–15 bytes, not '.' or '..', no '/', ':', whitespace, "
                + "control characters, quotes or backslashes",
            apply: { text, s throws(EnvironmentValueError) in s.networkInterface = try interfaceName(text) }),
        EnvironmentVariable(
            name: "OPENSHIFT_HA_MONITOR_PORT", type: "port", defaultValue: "80", isRequired: false,
            doc: "Default check: a TCP connect to the node's own primary address on this port, rendered as "
                + "/bin/bash -c '</dev/tcp/<node-ip>/<port>'. 0: no check at all. As in the image, characters "
                + "other than digits are dropped (with a warning); no digits at all: 80.",
            validation: "0…65535 once non-digits are dropped",
            apply: { text, s throws(EnvironmentValueError) in s.monitorPort = try monitorPort(text) },
            note: { text in
                let digits = text.filter { $0.isASCII && $0.isNumber }
                guard digits != text else { return nil }
                return "'\(text)' is read as port \(digits.isEmpty ? "80" : digits) (non-digits dropped, as the image does)"
            }),
        EnvironmentVariable(
            name: "OPENSHIFT_HA_CHECK_SCRIPT", type: "path", defaultValue: nil, isRequired: false,
            doc: "A check command (a path, or a name looked up in PATH, with optional arguments) that replaces "
                + "the default TCP check.",
            validation: "no control characters, double quotes or backslashes",
            apply: { text, s throws(EnvironmentValueError) in s.checkScript = try command(text) }),
        EnvironmentVariable(
            name: "OPENSHIFT_HA_CHECK_INTERVAL", type: "seconds", defaultValue: "2", isRequired: false,
            doc: "Seconds between checks (the check's timeout is the same, keepalived's default). keepalived 2.2.7 "
                + "reads 0 as 1 and ignores a fractional value (its default, 1, applies); so does ipfailover, with a warning.",
            validation: "0…4294, decimal",
            apply: { text, s throws(EnvironmentValueError) in s.checkInterval = try checkInterval(text) },
            note: { text in
                let trimmed = text.trimmingSpaces
                guard trimmed.contains(".") || trimmed.allSatisfy({ $0 == "0" }) else { return nil }
                return "'\(text)' is read as 1 second: keepalived 2.2.7 takes whole seconds 1…4294 here and "
                    + "uses 1 for 0 and for a fractional value"
            }),
        EnvironmentVariable(
            name: "OPENSHIFT_HA_NOTIFY_SCRIPT", type: "path", defaultValue: nil, isRequired: false,
            doc: "Command run as `notify` by every instance (gets INSTANCE <name> <STATE> <priority>); a path, or "
                + "a name looked up in PATH.",
            validation: "no control characters, double quotes or backslashes",
            apply: { text, s throws(EnvironmentValueError) in s.notifyScript = try command(text) }),
        EnvironmentVariable(
            name: "OPENSHIFT_HA_PREEMPTION", type: "strategy", defaultValue: "preempt_delay 300", isRequired: false,
            doc: "The instance's preemption line, as keepalived reads it: preempt (take over at once), nopreempt, "
                + "or preempt_delay N: a recovered higher-priority node waits N seconds (decimal) before taking "
                + "a VIP back. (The documented 'preempt_nodelay N' is read as preempt_delay N.)",
            validation: "preempt | nopreempt | preempt_delay 0…1000",
            apply: { text, s throws(EnvironmentValueError) in s.preemption = try preemption(text) }),
        EnvironmentVariable(
            name: "OPENSHIFT_HA_VRRP_ID_OFFSET", type: "integer", defaultValue: "10", isRequired: false,
            doc: "VRID of instance n (1-based) = offset + n, skipping HA_EXCLUDED_VRRP_IDS; a VRID above 255 is an error.",
            validation: "0…254",
            apply: { text, s throws(EnvironmentValueError) in s.vrrpIDOffset = try integer(text, 0...254) }),
        EnvironmentVariable(
            name: "HA_EXCLUDED_VRRP_IDS", type: "VRID list", defaultValue: nil, isRequired: false,
            doc: "VRIDs never used (e.g. taken by the cluster's own keepalived); comma/space separated, N or N-M.",
            validation: "integers 1…255",
            apply: { text, s throws(EnvironmentValueError) in s.excludedVRRPIDs = try vridList(text) }),
        EnvironmentVariable(
            name: "OPENSHIFT_HA_REPLICA_COUNT", type: "integer", defaultValue: "1", isRequired: false,
            doc: "Number of ipfailover nodes; spreads the preferred masters (see 'Master spreading'). As in the "
                + "image, 0 or less counts as 1.",
            validation: "an integer",
            apply: { text, s throws(EnvironmentValueError) in s.replicaCount = max(1, try integer(text, Int.min...Int.max)) }),
        EnvironmentVariable(
            name: "OPENSHIFT_HA_UNICAST_PEERS", type: "address list", defaultValue: nil, isRequired: false,
            doc: "The nodes' addresses; non-empty switches every instance to unicast (the node's own address is "
                + "left out of its peer list and used as unicast_src_ip).",
            validation: "addresses (no ranges), no duplicates",
            apply: { text, s throws(EnvironmentValueError) in
                let (addresses, problems) = VIPListParser().parse(text, allowRanges: false)
                if !problems.isEmpty { throw EnvironmentValueError(problems.joined(separator: "; ")) }
                s.unicastPeers = addresses
            }),
        EnvironmentVariable(
            name: "UNICAST_SOURCE_IPADDRESS", type: "address", defaultValue: nil, isRequired: false,
            doc: "Read by the image (unprefixed): the source address of the adverts of every instance of its "
                + "address family (unicast_src_ip with unicast peers, instead of the node's own address, and left out "
                + "of the peers; else mcast_src_ip). Wins over MULTICAST_SOURCE_IPADDRESS, as in keepalived.",
            validation: "an IPv4 or IPv6 address",
            apply: { text, s throws(EnvironmentValueError) in s.unicastSource = try address(text) }),
        EnvironmentVariable(
            name: "MULTICAST_SOURCE_IPADDRESS", type: "address", defaultValue: nil, isRequired: false,
            doc: "Read by the image (unprefixed): the source address of the adverts of every instance of its "
                + "address family (keepalived reads mcast_src_ip and unicast_src_ip as one setting).",
            validation: "an IPv4 or IPv6 address",
            apply: { text, s throws(EnvironmentValueError) in s.multicastSource = try address(text) }),
        EnvironmentVariable(
            name: "OPENSHIFT_HA_USE_UNICAST", type: "boolean", defaultValue: nil, isRequired: false,
            doc: "Read by the image's docs but never by its code; ignored (with a warning when set without peers).",
            validation: "true | false",
            apply: { text, s throws(EnvironmentValueError) in
                switch text.lowercased() {
                case "true", "1", "yes": s.useUnicast = true
                case "false", "0", "no": s.useUnicast = false
                default: throw EnvironmentValueError("'\(text)' is not true or false")
                }
            }),
        EnvironmentVariable(
            name: "OPENSHIFT_HA_ADMIN_EMAILS", type: "text", defaultValue: nil, isRequired: false,
            doc: "The image writes it as notification_email; ipfailover sends no e-mail (use a notify script). "
                + "Accepted and ignored, with a warning.",
            validation: "any",
            apply: { _, _ throws(EnvironmentValueError) in },
            note: { _ in "ipfailover sends no e-mail alerts; the value is ignored (use OPENSHIFT_HA_NOTIFY_SCRIPT)" }),
        EnvironmentVariable(
            name: "OPENSHIFT_HA_SMTP_SERVER", type: "text", defaultValue: nil, isRequired: false,
            doc: "The image writes it as smtp_server; ipfailover sends no e-mail. Accepted and ignored, with a warning.",
            validation: "any",
            apply: { _, _ throws(EnvironmentValueError) in },
            note: { _ in "ipfailover sends no e-mail alerts; the value is ignored (use OPENSHIFT_HA_NOTIFY_SCRIPT)" }),
        EnvironmentVariable(
            name: "OPENSHIFT_HA_SELECTOR", type: "text", defaultValue: nil, isRequired: false,
            doc: "Read by the image and unused; accepted and ignored.", validation: "any",
            apply: { _, _ throws(EnvironmentValueError) in }),
        EnvironmentVariable(
            name: "OPENSHIFT_HA_IPTABLES_CHAIN", type: "chain", defaultValue: nil, isRequired: false,
            doc: "Non-empty: the runtime ensures rules admitting VRRP (protocol 112, multicast and unicast) at the "
                + "head of this chain of table ip filter, where iptables-nft puts the chain. Not part of keepalived.conf; "
                + "OPENSHIFT_HA_NFTABLES_RULE wins when both are set.",
            validation: "an nft name: letters, digits, '_', '-', '.', '/'",
            apply: { text, s throws(EnvironmentValueError) in s.iptablesChain = try FirewallRequest(iptablesChain: text) }),
        EnvironmentVariable(
            name: "OPENSHIFT_HA_NFTABLES_RULE", type: "text", defaultValue: nil, isRequired: false,
            doc: "Non-empty: the runtime ensures nftables rules admitting VRRP (protocol 112, multicast and unicast). "
                + "'FAMILY TABLE CHAIN' (family ip, ip6 or inet, e.g. 'inet filter input'): at the head of that "
                + "existing chain; any other value (the image only checks that it is set): in ipfailover's own "
                + "table inet ipfailover. Not part of keepalived.conf.",
            validation: "any; FAMILY TABLE CHAIN names: letters, digits, '_', '-', '.', '/'",
            apply: { text, s throws(EnvironmentValueError) in s.nftablesRule = try FirewallRequest(nftablesRule: text) }),
    ]

    /// The variable called `name`.
    public static func variable(_ name: String) -> EnvironmentVariable? {
        variables.first { $0.name == name }
    }

    /// The image's config-name scrub: keep [A-Za-z0-9_-], then '-' → '_'.
    public static func scrub(_ name: String) -> String {
        String(name.unicodeScalars.filter { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0)
            || $0 == "_" || $0 == "-") }.map { $0 == "-" ? "_" : Character($0) })
    }
}

extension String {
    var trimmingSpaces: String {
        String(drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }
}
