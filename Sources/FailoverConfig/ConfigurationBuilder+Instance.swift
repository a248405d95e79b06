import VRRPWire

extension ConfigurationBuilder {
    /// Instance keywords keepalived has and ipfailover ignores (with a warning).
    static let unsupportedInstanceKeywords: Set<String> = [
        "smtp_alert", "use_vmac", "vmac_xmit_base", "virtual_routes", "virtual_rules", "dont_track_primary",
        "lvs_sync_daemon_interface", "track_process", "track_file", "track_bfd", "native_ipv6", "strict_mode",
        "skip_check_adv_addr", "garp_lower_prio_delay", "garp_lower_prio_repeat", "lower_prio_no_advert",
        "higher_prio_send_advert", "kernel_rp_filter", "notify_master_rx_lower_pri", "debug", "use_ipvlan",
        "unicast_fault_no_peer", "check_unicast_src", "unicast_ttl", "old_unicast_checksum", "linkbeat_use_polling",
        "notify_deleted", "no_accept_ll", "promote_secondaries", "track_src_ip", "mcast_dst", "sync_group_tracking_weight",
    ]

    mutating func buildInstance(name: String, statement: Statement, block: [Statement]) -> VRRPInstance? {
        // A failed earlier instance of the same name must not leave its locations behind.
        trackScriptLocations[name] = nil
        vridLocations[name] = nil
        var state = InitialState.backup
        var interface: String?
        var vrid: VirtualRouterID?
        var vridSeen = false
        var priority = Priority.default
        var advert: Duration = .seconds(1)
        var version: VRRPVersion?
        var nopreempt = false
        var preemptDelay: Duration?
        var vips: [(VirtualIPAddress, SourceLocation)] = []
        var excluded: [(VirtualIPAddress, SourceLocation)] = []
        var advertAt: SourceLocation?
        var preemptAt: SourceLocation?
        var authAt: SourceLocation?
        var peerLocations: [SourceLocation] = []
        var trackScripts: [TrackEntry] = []
        var trackInterfaces: [TrackEntry] = []
        var unicastSource: IPAddress?
        var unicastKeywordAt: SourceLocation?
        var peers: [IPAddress] = []
        var mcastSource: IPAddress?
        var authentication = Authentication.none
        var garpDelay: Duration?
        var garpRepeat: Int?
        var garpRefresh: Duration?
        var notify = NotifyScripts()
        var accept: Bool?
        var downTimerAdverts = 3
        var interfaceInvalid = false

        for s in block {
            switch s.name {
            case "state":
                guard let t = singleArgument(s) else { continue }
                // keepalived compares in upper case only: `state master` starts as BACKUP.
                switch t.text {
                case "MASTER": state = .master
                case "BACKUP": state = .backup
                default: note(t.location, "(\(name)) 'state' must be MASTER or BACKUP (upper case, as keepalived "
                    + "reads it), got '\(t.text)'; BACKUP used")
                }
            case "interface":
                guard let t = singleArgument(s) else { continue }
                if let reason = ConfigValue.impossibleInterfaceName(t.text) {
                    error(t.location, "(\(name)) interface '\(t.text)' cannot exist: \(reason); instance not started")
                    interfaceInvalid = true
                } else {
                    interface = t.text
                }
            case "virtual_router_id":
                vridSeen = true
                vridLocations[name] = s.location
                guard !s.arguments.isEmpty else {
                    // Without a VRID the instance cannot run: an error, not a warning.
                    error(s.location, "(\(name)) 'virtual_router_id' needs a value; instance not started")
                    continue
                }
                guard let t = singleArgument(s) else { continue }
                if let v = ConfigValue.integer(t.text), let id = VirtualRouterID(v) {
                    vrid = id
                } else {
                    error(t.location, "(\(name)) virtual_router_id must be an integer in 1…255, got '\(t.text)'; "
                        + "instance not started")
                }
            case "priority":
                guard let t = singleArgument(s) else { continue }
                if let v = ConfigValue.integer(t.text), (1...255).contains(v) {
                    priority = Priority(UInt8(v))
                } else {
                    note(t.location, "(\(name)) priority must be an integer in 1…255, got '\(t.text)'; default 100 used")
                }
            case "advert_int":
                if let v = duration(s, .milliseconds(10) ... .seconds(255)) { advert = v; advertAt = s.location }
            case "version":
                if let v = integer(s, 2...3) { version = v == 2 ? .v2 : .v3 }
            case "nopreempt":
                noArguments(s)
                nopreempt = true
                preemptAt = s.location
            case "preempt":
                noArguments(s)
                nopreempt = false
            case "preempt_delay":
                if let v = duration(s, .zero ... .seconds(1000)) { preemptDelay = v; preemptAt = preemptAt ?? s.location }
            case "virtual_ipaddress":
                vips += virtualAddresses(s)
            case "virtual_ipaddress_excluded":
                excluded += virtualAddresses(s)
            case "track_script":
                for entry in listEntries(s) {
                    let (n, w, r) = tracked(entry, weightRange: -253...253)
                    trackScripts.append(TrackEntry(name: n, weight: w, reverse: r))
                    trackScriptLocations[name, default: []].append(entry.location)
                }
            case "track_interface":
                for entry in listEntries(s) {
                    let (n, w, r) = tracked(entry, weightRange: -253...253)
                    if let reason = ConfigValue.impossibleInterfaceName(n) {
                        // keepalived keeps tracking it ("doesn't exist"), so it counts as down.
                        note(entry.location, "(\(name)) tracked interface '\(n)' cannot exist: \(reason); it counts as down")
                    }
                    trackInterfaces.append(TrackEntry(name: n, weight: w, reverse: r))
                }
            case "unicast_src_ip":
                unicastKeywordAt = unicastKeywordAt ?? s.location
                if let t = singleArgument(s) { unicastSource = address(t, for: s.name) }
            case "unicast_peer":
                unicastKeywordAt = unicastKeywordAt ?? s.location
                for entry in listEntries(s) {
                    if let a = address(entry.keyword, for: "unicast_peer") {
                        if peers.contains(a) {
                            note(entry.location, "(\(name)) unicast peer \(a) listed twice; ignored")
                        } else {
                            peers.append(a)
                            peerLocations.append(entry.location)
                        }
                    }
                    if let extra = entry.arguments.first {
                        note(extra.location, "unicast_peer options ('\(extra.text)') are not supported; ignored")
                    }
                }
            case "mcast_src_ip":
                if let t = singleArgument(s) { mcastSource = address(t, for: s.name) }
            case "authentication":
                authentication = buildAuthentication(s, instance: name)
                authAt = s.location
            case "garp_master_delay":
                if let v = integer(s, 0...1000) { garpDelay = .seconds(v) }
            case "garp_master_repeat":
                if let v = integer(s, 1...255) { garpRepeat = v }
            case "garp_master_refresh":
                if let v = integer(s, 0...86400) { garpRefresh = .seconds(v) }
            case "notify", "notify_master", "notify_backup", "notify_fault", "notify_stop":
                setNotify(s, &notify)
            case "accept":
                // What ipfailover always does: it never filters traffic to its VIPs.
                noArguments(s)
                accept = true
            case "no_accept":
                note(s.location, "(\(name)) 'no_accept' is not supported by ipfailover (it never filters traffic "
                    + "to its VIPs, as with 'accept'); ignored")
            case "down_timer_adverts":
                if let v = integer(s, 1...100) { downTimerAdverts = v }
            default:
                if Self.unsupportedInstanceKeywords.contains(s.name) {
                    unsupported(s, in: "vrrp_instance")
                } else {
                    unknown(s, in: "vrrp_instance")
                }
            }
        }

        if unicastKeywordAt != nil, peers.isEmpty, let at = unicastKeywordAt {
            note(at, "(\(name)) a unicast keyword is given without any unicast peers; multicast is used")
            unicastSource = nil
        }
        var preemption: Preemption = .immediate
        if nopreempt {
            preemption = .disabled
        } else if let preemptDelay, preemptDelay > .zero {
            preemption = .delayed(preemptDelay)
        }
        if interface == nil, !interfaceInvalid {
            error(statement.location, "(\(name)) no 'interface' given; instance not started")
        }
        if !vridSeen {
            error(statement.location, "(\(name)) no 'virtual_router_id' given; instance not started")
        }
        guard let interface, let vrid else { return nil }
        // One address listed twice for the same device (in virtual_ipaddress or
        // _excluded): the kernel holds it once, so the first entry counts and the
        // second is reported and dropped rather than added twice.
        var firstSeen: [String: SourceLocation] = [:]
        func dropRepeats(_ list: inout [(VirtualIPAddress, SourceLocation)]) {
            list.removeAll { vip, location in
                let key = "\(vip.address)%\(vip.device ?? interface)"
                if let first = firstSeen[key] {
                    note(location, "(\(name)) \(vip.address) is already listed at line \(first.line)\(first.file == location.file ? "" : " of \(first.file)"); ignored")
                    return true
                }
                firstSeen[key] = location
                return false
            }
        }
        dropRepeats(&vips)
        dropRepeats(&excluded)
        var instance = VRRPInstance(
            name: name, state: state, interface: interface, virtualRouterID: vrid, priority: priority,
            advertisementInterval: advert, version: version, preemption: preemption,
            virtualIPAddresses: vips.map(\.0), excludedVirtualIPAddresses: excluded.map(\.0), trackScripts: trackScripts, trackInterfaces: trackInterfaces,
            unicastSourceIP: unicastSource, unicastPeers: peers, multicastSourceIP: mcastSource,
            authentication: authentication, garpMasterDelay: garpDelay, garpMasterRepeat: garpRepeat,
            garpMasterRefresh: garpRefresh, notifyScripts: notify, accept: accept, downTimerAdverts: downTimerAdverts)
        checkInstance(&instance, at: InstanceLocations(
            block: statement.location, vips: vips.map(\.1), advert: advertAt, preemption: preemptAt,
            authentication: authAt, peers: peerLocations))
        moveUnadvertisable(&instance, locations: vips)
        return instance
    }

    mutating func setNotify(_ s: Statement, _ notify: inout NotifyScripts) {
        guard let first = s.arguments.first else {
            note(s.location, "'\(s.name)' needs a command; ignored")
            return
        }
        firstScriptLocation = firstScriptLocation ?? s.location
        // An unquoted command with arguments is joined back, as keepalived does.
        let command = first.isQuoted && s.arguments.count == 1 ? first.text : s.arguments.map(\.text).joined(separator: " ")
        switch s.name {
        case "notify": notify.notify = command
        case "notify_master": notify.notifyMaster = command
        case "notify_backup": notify.notifyBackup = command
        case "notify_fault": notify.notifyFault = command
        default: notify.notifyStop = command
        }
    }

    mutating func buildAuthentication(_ s: Statement, instance: String) -> Authentication {
        var type: String?
        var pass: String?
        for entry in listEntries(s) {
            switch entry.name {
            case "auth_type":
                if let t = singleArgument(entry) { type = t.text.uppercased() }
            case "auth_pass":
                guard let t = singleArgument(entry) else { continue }
                if t.text.utf8.count > 8 {
                    note(t.location, "(\(instance)) auth_pass is longer than 8 bytes; truncated to "
                        + "'\(String(decoding: t.text.utf8.prefix(8), as: UTF8.self))'")
                }
                pass = t.text
            default:
                unknown(entry, in: "authentication")
            }
        }
        switch type {
        case "PASS":
            guard let pass else {
                note(s.location, "(\(instance)) auth_type PASS without auth_pass; authentication disabled")
                return .none
            }
            return .password(pass)
        case "AH":
            note(s.location, "(\(instance)) auth_type AH is not supported; authentication disabled")
            return .none
        case nil:
            if pass != nil { note(s.location, "(\(instance)) auth_pass without auth_type; authentication disabled") }
            return .none
        case let other?:
            note(s.location, "(\(instance)) unknown auth_type '\(other)'; authentication disabled")
            return .none
        }
    }

    /// Parses the lines of a `virtual_ipaddress` block.
    mutating func virtualAddresses(_ s: Statement) -> [(VirtualIPAddress, SourceLocation)] {
        var result: [(VirtualIPAddress, SourceLocation)] = []
        for entry in listEntries(s) {
            let text = entry.name
            var addressText = Substring(text)
            var prefix: Int?
            if let slash = text.firstIndex(of: "/") {
                addressText = text[..<slash]
                let prefixText = text[text.index(after: slash)...]
                guard let p = Int(prefixText) else {
                    note(entry.location, "invalid prefix length in '\(text)'; address ignored")
                    continue
                }
                prefix = p
            }
            guard let address = ConfigValue.address(addressText) else {
                note(entry.location, ConfigValue.hasLeadingZeroOctet(addressText)
                    ? "'\(text)' is not an address: an IPv4 octet with a leading zero is refused, as keepalived does; ignored"
                    : "'\(text)' is not an IPv4 or IPv6 address; ignored")
                continue
            }
            if let p = prefix, p < 0 || p > (address.family == .ipv4 ? 32 : 128) {
                note(entry.location, "prefix length /\(p) is out of range for \(address); address ignored")
                continue
            }
            var vip = VirtualIPAddress(address: address, prefixLength: prefix)
            var usable = true
            var words = entry.arguments[...]
            while let word = words.first {
                words = words.dropFirst()
                switch word.text {
                case "dev", "label", "scope":
                    guard let value = words.first else {
                        note(word.location, "'\(word.text)' needs a value; ignored")
                        continue
                    }
                    words = words.dropFirst()
                    switch word.text {
                    case "dev":
                        if let reason = ConfigValue.impossibleInterfaceName(value.text) {
                            note(value.location, "interface '\(value.text)' of \(address) cannot exist: \(reason); address ignored")
                            usable = false
                        }
                        vip.device = value.text
                    case "label":
                        vip.label = value.text
                    default:
                        if Self.isAddressScope(value.text) {
                            vip.scope = value.text
                        } else {
                            // keepalived: "Invalid scope 'X' specified for ADDR - ignoring".
                            note(value.location, "invalid scope '\(value.text)' for \(address) (global, site, link, host, "
                                + "nowhere or 0, 200, 253, 254, 255); ignored, global used")
                        }
                    }
                case "brd", "broadcast", "preferred_lft", "track_group", "peer":
                    words = words.dropFirst()
                    note(word.location, "virtual address option '\(word.text)' is not supported; ignored")
                default:
                    note(word.location, "virtual address option '\(word.text)' is not supported; ignored")
                }
            }
            if usable { result.append((vip, entry.location)) }
        }
        return result
    }

    /// A scope name iproute2 knows, or the number of one.
    static func isAddressScope(_ text: String) -> Bool {
        if ConfigValue.addressScopes[text] != nil { return true }
        guard let number = Int(text) else { return false }
        return ConfigValue.addressScopes.values.contains(number)
    }

    /// The most addresses one advert carries, as keepalived counts them for an
    /// Ethernet MTU of 1500: (MTU − Ethernet, IP and VRRP headers) / address size,
    /// at most 255 (the count field is one byte). IPv4: 255; IPv6: 89.
    static func advertAddressLimit(_ family: AddressFamily) -> Int {
        let mtu = 1500
        switch family {
        case .ipv4: return min(255, (mtu - 14 - 20 - 8 - 8) / 4)
        case .ipv6: return min(255, (mtu - 14 - 40 - 8) / 16)
        }
    }

    /// keepalived moves the VIPs that do not fit in one advert to the excluded list:
    /// still added and answered for while master, no longer advertised, so that the
    /// advert of every node (and keepalived's check of it) lists the same addresses.
    mutating func moveUnadvertisable(_ instance: inout VRRPInstance, locations: [(VirtualIPAddress, SourceLocation)]) {
        let limit = Self.advertAddressLimit(instance.addressFamily)
        let count = instance.virtualIPAddresses.count
        guard count > limit else { return }
        let moved = Array(instance.virtualIPAddresses[limit...])
        instance.virtualIPAddresses.removeSubrange(limit...)
        instance.excludedVirtualIPAddresses += moved
        let at = locations.first { $0.0 == moved[0] }?.1 ?? instanceLocations[instance.name] ?? locations[0].1
        note(at, "(\(instance.name)) \(count) virtual addresses do not fit in one advert (at most \(limit) "
            + "\(instance.addressFamily == .ipv4 ? "IPv4" : "IPv6") addresses, as keepalived counts them at MTU 1500); "
            + "the last \(moved.count), from \(moved[0].address) on, are moved to virtual_ipaddress_excluded "
            + "(added while master, not advertised)")
    }
}
