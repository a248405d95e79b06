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
}

/// The table of `OPENSHIFT_HA_*` variables (design brief §5), in documentation order.
public enum EnvironmentSchema {
    public static let variables: [EnvironmentVariable] = [
        EnvironmentVariable(
            name: "OPENSHIFT_HA_CONFIG_NAME", type: "name", defaultValue: "OpenShift-IPFailover", isRequired: false,
            doc: "Names everything: router_id and instance prefix (scrubbed: only [A-Za-z0-9_-] kept, '-' → '_'), "
                + "the check chk_<scrubbed>, and the PASS password (first 8 bytes go on the wire).",
            validation: "at least one character in [A-Za-z0-9_-]",
            apply: { text, s throws(EnvironmentValueError) in
                guard !scrub(text).isEmpty else {
                    throw EnvironmentValueError("'\(text)' has no character in [A-Za-z0-9_-]")
                }
                s.configName = text
            }),
        EnvironmentVariable(
            name: "OPENSHIFT_HA_VIRTUAL_IPS", type: "address list", defaultValue: nil, isRequired: true,
            doc: "The VIPs, separated by commas and/or spaces. IPv4 a.b.c.S-E ranges vary the last octet; "
                + "IPv6 prefix:X-Y ranges vary the last group (hex). A malformed entry is an error.",
            validation: "addresses or ranges; no duplicates",
            apply: { text, s throws(EnvironmentValueError) in
                let (addresses, problems) = VIPListParser().parse(text)
                if !problems.isEmpty { throw EnvironmentValueError(problems.joined(separator: "; ")) }
                if addresses.isEmpty { throw EnvironmentValueError("lists no address") }
                s.virtualIPs = addresses
            }),
        EnvironmentVariable(
            name: "OPENSHIFT_HA_VIP_GROUPS", type: "integer", defaultValue: nil, isRequired: false,
            doc: "Split the VIPs into this many instances (contiguous; the first total % N get one extra: "
                + "7 in 3 → 3,2,2). Unset, 0, or more groups than VIPs: one VIP per instance.",
            validation: "0…255",
            apply: { text, s throws(EnvironmentValueError) in
                let n = try integer(text, 0...255)
                s.vipGroups = n == 0 ? nil : n
            }),
        EnvironmentVariable(
            name: "OPENSHIFT_HA_NETWORK_INTERFACE", type: "interface", defaultValue: nil, isRequired: false,
            doc: "Interface for VRRP and the VIPs. Unset: the interface of the node's primary IPv4 address.",
            validation: "1–15 characters, no '/', ':' or whitespace",
            apply: { text, s throws(EnvironmentValueError) in
                guard text.utf8.count <= 15, !text.contains(where: { $0 == "/" || $0 == ":" || $0.isWhitespace }) else {
                    throw EnvironmentValueError("'\(text)' is not a Linux interface name (1–15 characters, no '/', ':' or spaces)")
                }
                s.networkInterface = text
            }),
        EnvironmentVariable(
            name: "OPENSHIFT_HA_MONITOR_PORT", type: "port", defaultValue: "80", isRequired: false,
            doc: "Default check: a TCP connect to the node's own primary address on this port, rendered as "
                + "/bin/bash -c '</dev/tcp/<node-ip>/<port>'. 0: no check at all.",
            validation: "0…65535",
            apply: { text, s throws(EnvironmentValueError) in s.monitorPort = UInt16(try integer(text, 0...65535)) }),
        EnvironmentVariable(
            name: "OPENSHIFT_HA_CHECK_SCRIPT", type: "path", defaultValue: nil, isRequired: false,
            doc: "A check command (full path, optional arguments) that replaces the default TCP check.",
            validation: "starts with '/'",
            apply: { text, s throws(EnvironmentValueError) in s.checkScript = try absolutePath(text) }),
        EnvironmentVariable(
            name: "OPENSHIFT_HA_CHECK_INTERVAL", type: "seconds", defaultValue: "2", isRequired: false,
            doc: "Seconds between checks (the check's timeout is the same, keepalived's default).",
            validation: "1…3600, whole seconds",
            apply: { text, s throws(EnvironmentValueError) in s.checkInterval = .seconds(try integer(text, 1...3600)) }),
        EnvironmentVariable(
            name: "OPENSHIFT_HA_NOTIFY_SCRIPT", type: "path", defaultValue: nil, isRequired: false,
            doc: "Command run as `notify` by every instance (gets INSTANCE <name> <STATE> <priority>).",
            validation: "starts with '/'",
            apply: { text, s throws(EnvironmentValueError) in s.notifyScript = try absolutePath(text) }),
        EnvironmentVariable(
            name: "OPENSHIFT_HA_PREEMPTION", type: "strategy", defaultValue: "preempt_delay 300", isRequired: false,
            doc: "nopreempt, or preempt_delay N: a recovered higher-priority node waits N seconds before taking "
                + "a VIP back. (The documented 'preempt_nodelay N' is read as preempt_delay N.)",
            validation: "nopreempt | preempt_delay 0…1000",
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
            doc: "Number of ipfailover nodes; spreads the preferred masters (see 'Master spreading').",
            validation: "1…254",
            apply: { text, s throws(EnvironmentValueError) in s.replicaCount = try integer(text, 1...254) }),
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
            name: "OPENSHIFT_HA_SELECTOR", type: "text", defaultValue: nil, isRequired: false,
            doc: "Read by the image and unused; accepted and ignored.", validation: "any",
            apply: { _, _ throws(EnvironmentValueError) in }),
        EnvironmentVariable(
            name: "OPENSHIFT_HA_IPTABLES_CHAIN", type: "chain", defaultValue: nil, isRequired: false,
            doc: "Non-empty: the runtime ensures an iptables rule in this chain admitting VRRP (protocol 112, "
                + "multicast and unicast). Not part of keepalived.conf.",
            validation: "no whitespace",
            apply: { text, s throws(EnvironmentValueError) in
                guard !text.contains(where: \.isWhitespace) else { throw EnvironmentValueError("'\(text)' contains whitespace") }
                s.iptablesChain = text
            }),
        EnvironmentVariable(
            name: "OPENSHIFT_HA_NFTABLES_RULE", type: "text", defaultValue: nil, isRequired: false,
            doc: "Non-empty: the runtime ensures an nftables rule admitting VRRP. Not part of keepalived.conf.",
            validation: "any",
            apply: { text, s throws(EnvironmentValueError) in s.nftablesRule = text }),
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

    static func integer(_ text: String, _ range: ClosedRange<Int>) throws(EnvironmentValueError) -> Int {
        guard let v = Int(text.trimmingSpaces), range.contains(v) else {
            throw EnvironmentValueError("'\(text)' is not an integer in \(range.lowerBound)…\(range.upperBound)")
        }
        return v
    }

    static func absolutePath(_ text: String) throws(EnvironmentValueError) -> String {
        let trimmed = text.trimmingSpaces
        guard trimmed.hasPrefix("/") else {
            throw EnvironmentValueError("'\(text)' is not a full path (must start with '/')")
        }
        return trimmed
    }

    static func preemption(_ text: String) throws(EnvironmentValueError) -> Preemption {
        let words = text.split(whereSeparator: \.isWhitespace)
        if words == ["nopreempt"] { return .disabled }
        if words.count == 2, words[0] == "preempt_delay" || words[0] == "preempt_nodelay",
           let n = Int(words[1]), (0...1000).contains(n) {
            return n == 0 ? .immediate : .delayed(.seconds(n))
        }
        throw EnvironmentValueError("'\(text)' is not 'nopreempt' or 'preempt_delay N' with N in 0…1000")
    }

    static func vridList(_ text: String) throws(EnvironmentValueError) -> Set<Int> {
        var result: Set<Int> = []
        var bad: [String] = []
        for entry in text.split(whereSeparator: { $0 == "," || $0.isWhitespace }) {
            let bounds = entry.split(separator: "-", omittingEmptySubsequences: false)
            if bounds.count == 1, let v = Int(bounds[0]), (1...255).contains(v) {
                result.insert(v)
            } else if bounds.count == 2, let a = Int(bounds[0]), let b = Int(bounds[1]), 1 <= a, a <= b, b <= 255 {
                result.formUnion(a...b)
            } else {
                bad.append("entry '\(entry)': expected a VRID 1…255 or a range N-M")
            }
        }
        if !bad.isEmpty { throw EnvironmentValueError(bad.joined(separator: "; ")) }
        return result
    }
}

extension String {
    var trimmingSpaces: String {
        String(drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }
}
