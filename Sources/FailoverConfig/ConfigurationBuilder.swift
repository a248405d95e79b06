import VRRPWire

/// Gives meaning to the statement tree: keyword by keyword, with keepalived's ranges
/// and defaults. Every problem becomes a diagnostic; a bad value is ignored (or the
/// default kept) exactly where keepalived would do the same, and an instance that
/// cannot run (no interface, no valid VRID) is left out with an error.
struct ConfigurationBuilder {
    var diagnostics: [Diagnostic] = []
    /// `global_defs`, read in a first pass so instances see `vrrp_version` wherever it is written.
    var globals = GlobalDefinitions()
    /// Where each instance and script reference was written, for `validate`.
    var instanceLocations: [String: SourceLocation] = [:]
    var groupLocations: [String: SourceLocation] = [:]
    var vridLocations: [String: SourceLocation] = [:]
    var trackScriptLocations: [String: [SourceLocation]] = [:]
    var groupMemberLocations: [String: [SourceLocation]] = [:]
    var groupTrackLocations: [String: [SourceLocation]] = [:]
    /// The first statement that configures a script (for the script-security warning).
    var firstScriptLocation: SourceLocation?

    /// Top-level sections keepalived has but ipfailover does not implement.
    static let unsupportedSections: Set<String> = [
        "virtual_server", "virtual_server_group", "real_server", "static_ipaddress", "static_routes",
        "static_rules", "vrrp_track_process", "vrrp_track_file", "track_file", "bfd_instance",
        "linkbeat_interfaces", "net_namespace", "net_namespace_ipvs", "instance", "garp_group",
        "local_address_group", "namespace_with_ipsets", "use_pid_dir", "child_wait_time",
        "vrrp_track_bfd", "startup_script", "shutdown_script",
    ]

    mutating func build(_ statements: [Statement]) -> Configuration {
        var configuration = Configuration()
        var sawGlobals = false
        for statement in statements where statement.name == "global_defs" {
            guard let block = requireBlock(statement) else { continue }
            if sawGlobals {
                note(statement.location, "a second global_defs block; its settings are merged")
            }
            sawGlobals = true
            var g = globals
            buildGlobals(block, into: &g)
            globals = g
        }
        configuration.globalDefinitions = globals
        for statement in statements {
            switch statement.name {
            case "global_defs":
                continue
            case "vrrp_script":
                guard let (name, block) = namedSection(statement, defined: configuration.scripts.map(\.name)) else { continue }
                if let script = buildScript(name: name, statement: statement, block: block) {
                    configuration.scripts.append(script)
                }
            case "vrrp_instance":
                guard let (name, block) = namedSection(statement, defined: configuration.instances.map(\.name),
                                                       redefinition: .cannotRun) else { continue }
                if let instance = buildInstance(name: name, statement: statement, block: block) {
                    configuration.instances.append(instance)
                    instanceLocations[name] = statement.location
                }
            case "vrrp_sync_group":
                guard let (name, block) = namedSection(statement, defined: configuration.syncGroups.map(\.name)) else { continue }
                configuration.syncGroups.append(buildSyncGroup(name: name, block: block))
                groupLocations[name] = statement.location
            default:
                if Self.unsupportedSections.contains(statement.name) {
                    note(statement.location,
                         "unsupported section '\(statement.name)' skipped (ipfailover implements the VRRP subset only)")
                } else {
                    unknown(statement, in: nil)
                }
            }
        }
        validate(&configuration)
        return configuration
    }

    // MARK: - Diagnostics helpers

    mutating func note(_ location: SourceLocation, _ message: String) {
        diagnostics.append(Diagnostic(.adjusted, .source(location), message))
    }

    mutating func error(_ location: SourceLocation, _ message: String) {
        diagnostics.append(Diagnostic(.cannotRun, .source(location), message))
    }

    mutating func unknown(_ statement: Statement, in block: String?) {
        let place = block.map { " in \($0)" } ?? ""
        note(statement.location, "unknown keyword '\(statement.name)'\(place); ignored")
    }

    mutating func unsupported(_ statement: Statement, in block: String) {
        note(statement.location, "'\(statement.name)' in \(block) is not supported by ipfailover; ignored")
    }

    mutating func requireBlock(_ statement: Statement) -> [Statement]? {
        if let block = statement.block { return block }
        error(statement.location, "'\(statement.name)' needs a '{ … }' block")
        return nil
    }

    /// The name and block of a `vrrp_script` / `vrrp_instance` / `vrrp_sync_group`
    /// section, or nil when either is missing or the name is among `defined` (the first
    /// definition wins; the second is reported in the `redefinition` category).
    mutating func namedSection(_ statement: Statement, defined: [String],
                               redefinition: Diagnostic.Category = .adjusted) -> (name: String, block: [Statement])? {
        guard let block = requireBlock(statement), let name = requireName(statement) else { return nil }
        if defined.contains(name) {
            diagnostics.append(Diagnostic(redefinition, .source(statement.location),
                                          "\(statement.name) '\(name)' is defined twice; the second definition is ignored"))
            return nil
        }
        return (name, block)
    }

    mutating func requireName(_ statement: Statement) -> String? {
        guard let name = statement.arguments.first else {
            error(statement.location, "'\(statement.name)' needs a name")
            return nil
        }
        if statement.arguments.count > 1 {
            note(statement.arguments[1].location, "extra words after the name of '\(statement.name)' ignored")
        }
        return name.text
    }

    /// The single argument of `statement`, reporting a missing one (and extra words).
    mutating func singleArgument(_ statement: Statement) -> Token? {
        guard let first = statement.arguments.first else {
            note(statement.location, "'\(statement.name)' needs a value; ignored")
            return nil
        }
        if statement.arguments.count > 1 {
            note(statement.arguments[1].location, "extra words after '\(statement.name) \(first.text)' ignored")
        }
        if statement.block != nil {
            note(statement.location, "'\(statement.name)' takes no block; block ignored")
        }
        return first
    }

    mutating func noArguments(_ statement: Statement) {
        if let extra = statement.arguments.first {
            note(extra.location, "'\(statement.name)' takes no value; '\(extra.text)' ignored")
        }
        if statement.block != nil {
            note(statement.location, "'\(statement.name)' takes no block; block ignored")
        }
    }

    /// `USER [GROUP]`, the credentials scripts run with (`script_user` in global_defs,
    /// `user` in a vrrp_script): a missing user and words after the group are reported.
    mutating func userAndGroup(_ statement: Statement) -> (user: String, group: String?)? {
        guard let user = statement.arguments.first else {
            note(statement.location, "'\(statement.name)' needs a user name; ignored")
            return nil
        }
        if statement.arguments.count > 2 {
            note(statement.arguments[2].location, "extra words after '\(statement.name)' ignored")
        }
        return (user.text, statement.arguments.count > 1 ? statement.arguments[1].text : nil)
    }

    /// An integer argument in `range`; otherwise a diagnostic naming the range.
    mutating func integer(_ statement: Statement, _ range: ClosedRange<Int>) -> Int? {
        value(statement, in: range, parse: ConfigValue.integer,
              expected: "an integer in \(range.lowerBound)…\(range.upperBound)")
    }

    /// A decimal-seconds argument in `range` (seconds).
    mutating func duration(_ statement: Statement, _ range: ClosedRange<Duration>) -> Duration? {
        value(statement, in: range, parse: ConfigValue.seconds,
              expected: "seconds in \(ConfigValue.secondsText(range.lowerBound))…\(ConfigValue.secondsText(range.upperBound))")
    }

    /// The single argument of `statement` read by `parse` and inside `range`; otherwise
    /// a diagnostic saying what was `expected` and what was given.
    private mutating func value<V: Comparable>(_ statement: Statement, in range: ClosedRange<V>,
                                               parse: (String) -> V?, expected: String) -> V? {
        guard let token = singleArgument(statement) else { return nil }
        guard let value = parse(token.text), range.contains(value) else {
            note(token.location, "'\(statement.name)' must be \(expected), got '\(token.text)'; ignored")
            return nil
        }
        return value
    }

    mutating func address(_ token: Token, for keyword: String) -> IPAddress? {
        guard let address = ConfigValue.address(token.text) else {
            note(token.location, "'\(keyword)' expects an IPv4 or IPv6 address, got '\(token.text)'"
                + (ConfigValue.hasLeadingZeroOctet(token.text) ? " (an IPv4 octet with a leading zero is refused, as keepalived does)" : "")
                + "; ignored")
            return nil
        }
        return address
    }

    /// The words of a block whose lines are bare values (`group`, `unicast_peer`, …).
    mutating func listEntries(_ statement: Statement) -> [Statement] {
        guard let block = statement.block else {
            note(statement.location, "'\(statement.name)' needs a '{ … }' block; ignored")
            return []
        }
        if let extra = statement.arguments.first {
            note(extra.location, "'\(statement.name)' takes no value before its block; '\(extra.text)' ignored")
        }
        return block
    }

    /// A `name [weight W [reverse]]` entry of `track_script` / `track_interface`.
    mutating func tracked(_ entry: Statement, weightRange: ClosedRange<Int>) -> (String, Int?, Bool) {
        var weight: Int?
        var reverse = false
        var rest = entry.arguments[...]
        while let word = rest.first {
            rest = rest.dropFirst()
            switch word.text {
            case "weight":
                guard let valueToken = rest.first else {
                    note(word.location, "'weight' needs a value; ignored")
                    continue
                }
                rest = rest.dropFirst()
                if let value = ConfigValue.integer(valueToken.text), weightRange.contains(value) {
                    weight = value
                } else {
                    note(valueToken.location, "weight must be an integer in \(weightRange.lowerBound)…"
                        + "\(weightRange.upperBound), got '\(valueToken.text)'; ignored")
                }
            case "reverse":
                reverse = true
            default:
                note(word.location, "unexpected '\(word.text)' after '\(entry.name)'; ignored")
            }
        }
        return (entry.name, weight, reverse)
    }

    // MARK: - global_defs

    static let unsupportedGlobals: Set<String> = [
        "notification_email", "notification_email_from", "smtp_server", "smtp_connect_timeout",
        "smtp_helo_name", "smtp_alert", "smtp_alert_vrrp", "smtp_alert_checker", "lvs_id", "lvs_sync_daemon",
        "lvs_timeouts", "lvs_flush", "dynamic_interfaces", "vrrp_skip_check_adv_addr", "vrrp_iptables",
        "vrrp_ipsets", "nftables", "nftables_priority", "nftables_ifindex", "checker_priority",
        "vrrp_priority", "bfd_priority", "vrrp_no_swap", "checker_no_swap", "enable_traps", "enable_snmp_vrrp",
        "enable_snmp_checker", "enable_snmp_rfc", "enable_dbus", "vrrp_check_unicast_src",
        "vrrp_lower_prio_no_advert", "vrrp_higher_prio_send_advert", "vrrp_rx_bufs_policy",
        "vrrp_rx_bufs_multiplier", "process_names", "process_name", "vrrp_process_name",
        "checker_process_name", "vrrp_notify_fifo", "vrrp_notify_fifo_script", "default_interface",
        "vrrp_startup_delay", "vrrp_min_garp", "vrrp_garp_extra_if", "vrrp_netlink_cmd_rcv_bufs",
        "vrrp_netlink_monitor_rcv_bufs", "vrrp_rt_priority", "checker_rt_priority", "fifo_write_vrrp_states_on_reload",
        // Gaps inside a gratuitous-ARP / NA burst and the burst on a lower-priority
        // advert: the announcer sends each burst back to back.
        "vrrp_garp_interval", "vrrp_gna_interval", "vrrp_garp_lower_prio_delay", "vrrp_garp_lower_prio_repeat",
        // No FIFO is written; notify scripts carry every state change.
        "notify_fifo", "notify_fifo_script",
    ]

    mutating func buildGlobals(_ block: [Statement], into g: inout GlobalDefinitions) {
        for s in block {
            switch s.name {
            case "router_id":
                if let t = singleArgument(s) { g.routerID = t.text }
            case "script_user":
                if let (user, group) = userAndGroup(s) { (g.scriptUser, g.scriptGroup) = (user, group) }
            case "enable_script_security":
                noArguments(s)
                g.enableScriptSecurity = true
            case "vrrp_version":
                if let v = integer(s, 2...3) { g.vrrpVersion = v == 2 ? .v2 : .v3 }
            case "vrrp_strict":
                noArguments(s)
                g.vrrpStrict = true
            case "vrrp_garp_master_delay":
                if let v = integer(s, 0...1000) { g.garpMasterDelay = .seconds(v) }
            case "vrrp_garp_master_repeat":
                if let v = integer(s, 1...255) { g.garpMasterRepeat = v }
            case "vrrp_garp_master_refresh":
                if let v = integer(s, 0...86400) { g.garpMasterRefresh = v == 0 ? nil : .seconds(v) }
            case "vrrp_garp_master_refresh_repeat":
                if let v = integer(s, 1...255) { g.garpMasterRefreshRepeat = v }
            case "vrrp_mcast_group4":
                if let t = singleArgument(s) {
                    if !ConfigValue.hasLeadingZeroOctet(t.text), let a = IPv4Address(t.text), a.isMulticast { g.multicastGroup4 = a } else {
                        note(t.location, "'vrrp_mcast_group4' expects an IPv4 multicast address, got '\(t.text)'; ignored")
                    }
                }
            case "vrrp_mcast_group6":
                if let t = singleArgument(s) {
                    if let a = IPv6Address(t.text), a.isMulticast { g.multicastGroup6 = a } else {
                        note(t.location, "'vrrp_mcast_group6' expects an IPv6 multicast address, got '\(t.text)'; ignored")
                    }
                }
            case "max_auto_priority":
                if s.arguments.isEmpty { g.maxAutoPriority = 99 } else if let v = integer(s, -1...99) { g.maxAutoPriority = v }
            default:
                if Self.unsupportedGlobals.contains(s.name) || s.name.hasPrefix("lvs_") || s.name.hasPrefix("checker_")
                    || s.name.hasPrefix("bfd_") || s.name.hasPrefix("snmp_") {
                    unsupported(s, in: "global_defs")
                } else {
                    unknown(s, in: "global_defs")
                }
            }
        }
    }
}
