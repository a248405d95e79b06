import VRRPWire

extension OpenShiftEnvironment {
    /// The image's config-name scrub of `configName`.
    public var scrubbedName: String { EnvironmentSchema.scrub(configName) }

    /// The PASS password: the config name cut to the 8 bytes that go on the wire, at a
    /// character boundary so the rendered file holds exactly those bytes.
    public var authPass: String {
        var result = ""
        for character in configName {
            if result.utf8.count + character.utf8.count > 8 { break }
            result.append(character)
        }
        return result
    }

    /// The name of the shared check, `chk_<scrubbed>`.
    public var checkName: String { "chk_\(scrubbedName)" }

    /// VIP group sizes: `vipGroups` contiguous slices, the first `total % groups`
    /// one larger; more groups than VIPs (or none, or 0) → one VIP per instance.
    public static func groupSizes(total: Int, groups: Int?) -> [Int] {
        guard total > 0 else { return [] }
        let requested = groups ?? 0
        let n = requested <= 0 ? total : min(requested, total)
        let base = total / n, extra = total % n
        return (0..<n).map { $0 < extra ? base + 1 : base }
    }

    /// VRIDs for `count` instances: offset+1, offset+2, … skipping excluded IDs.
    /// Returns the IDs that fit and, if any do not, the first that would exceed 255.
    public static func virtualRouterIDs(count: Int, offset: Int, excluded: Set<Int>) -> (ids: [VirtualRouterID], overflow: Int?) {
        var ids: [VirtualRouterID] = []
        var candidate = offset + 1
        while ids.count < count {
            if excluded.contains(candidate) { candidate += 1; continue }
            guard let id = VirtualRouterID(candidate) else { return (ids, candidate) }
            ids.append(id)
            candidate += 1
        }
        return (ids, nil)
    }

    /// The keepalived configuration this environment describes on `node`; nil (with
    /// errors) when it cannot be built. Layout as the image renders it, with our fixes:
    /// deterministic priorities, no `state MASTER`, script security on.
    public func configuration(for node: NodeIdentity) -> (configuration: Configuration?, diagnostics: [Diagnostic]) {
        var diagnostics: [Diagnostic] = []
        func fail(_ variable: String, _ message: String) {
            diagnostics.append(Diagnostic(.cannotRun, .environment(variable), message))
        }
        var interface = networkInterface ?? node.interface
        if networkInterface == nil, let detected = interface {
            do {
                interface = try EnvironmentSchema.interfaceName(detected)
            } catch {
                interface = nil
                fail("OPENSHIFT_HA_NETWORK_INTERFACE", "is not set and the detected interface cannot be used: \(error.message)")
            }
        } else if interface == nil {
            fail("OPENSHIFT_HA_NETWORK_INTERFACE", "is not set, none of "
                + SystemNodeIdentity.imageInterfaceCandidates.joined(separator: ", ")
                + " exists and no route toward 8.8.8.8 was found; set it to the VRRP interface")
        }
        let sizes = Self.groupSizes(total: virtualIPs.count, groups: vipGroups)
        let (ids, overflow) = Self.virtualRouterIDs(count: sizes.count, offset: vrrpIDOffset, excluded: excludedVRRPIDs)
        if let overflow {
            fail("OPENSHIFT_HA_VRRP_ID_OFFSET", "\(sizes.count) instances from offset \(vrrpIDOffset)"
                + (excludedVRRPIDs.isEmpty ? "" : " skipping \(excludedVRRPIDs.count) excluded IDs")
                + " need VRID \(overflow), above 255; lower the offset or use OPENSHIFT_HA_VIP_GROUPS")
        }
        var script: VRRPScript?
        if let checkScript {
            script = VRRPScript(name: checkName, script: checkScript, interval: checkInterval)
        } else if monitorPort != 0 {
            if let address = node.primaryAddress {
                let check = VRRPScript.TCPConnectCheck(address: address, port: monitorPort)
                script = VRRPScript(name: checkName, script: check.command, interval: checkInterval)
            } else {
                fail("OPENSHIFT_HA_MONITOR_PORT", "the default check connects to the node's own address, which is "
                    + "unknown (give --node-address, set OPENSHIFT_HA_CHECK_SCRIPT, or set the port to 0)")
            }
        }
        if authPass.utf8.count < min(8, configName.utf8.count) {
            diagnostics.append(Diagnostic(.adjusted, .environment("OPENSHIFT_HA_CONFIG_NAME"),
                "its first 8 bytes end inside a multi-byte character; the PASS password is '\(authPass)' "
                + "(\(authPass.utf8.count) bytes), which differs from keepalived's byte cut"))
        }
        let spreading = MasterSpreading(replicaCount: replicaCount, node: node)
        var instances: [VRRPInstance] = []
        var start = 0
        for (index, size) in sizes.enumerated() {
            let vips = Array(virtualIPs[start..<(start + size)])
            start += size
            let families = Set(vips.map(\.family))
            if families.count > 1 {
                let list = vips.map(\.description).joined(separator: ", ")
                fail("OPENSHIFT_HA_VIRTUAL_IPS", "instance \(index + 1) would mix IPv4 and IPv6 (\(list)); order the "
                    + "list or set OPENSHIFT_HA_VIP_GROUPS so each group has one family")
                continue
            }
            guard let interface, index < ids.count else { continue }
            let family = vips[0].family
            let isIPv6 = family == .ipv6
            var instance = VRRPInstance(
                name: "\(scrubbedName)_VIP_\(index + 1)", interface: interface, virtualRouterID: ids[index],
                priority: spreading.priority(ofInstance: index), version: isIPv6 ? .v3 : nil, preemption: preemption,
                virtualIPAddresses: vips.map { VirtualIPAddress(address: $0, device: interface) },
                trackScripts: script.map { [TrackEntry(name: $0.name)] } ?? [],
                authentication: isIPv6 ? .none : .password(authPass),
                notifyScripts: NotifyScripts(notify: notifyScript))
            // keepalived moves the addresses that do not fit in one advert to the excluded
            // list when it reads the rendered file, and so does the parser the daemon runs
            // it through: the model says so itself, so that it is what runs.
            let limit = ConfigurationBuilder.advertAddressLimit(family)
            if instance.virtualIPAddresses.count > limit {
                let moved = Array(instance.virtualIPAddresses[limit...])
                instance.virtualIPAddresses.removeSubrange(limit...)
                instance.excludedVirtualIPAddresses = moved
                diagnostics.append(Diagnostic(.adjusted, .environment("OPENSHIFT_HA_VIRTUAL_IPS"),
                    "instance \(instance.name) has \(vips.count) addresses; one advert carries at most \(limit) "
                    + "\(isIPv6 ? "IPv6" : "IPv4") addresses (as keepalived counts them at MTU 1500), so the last "
                    + "\(moved.count), from \(moved[0].address) on, are not advertised (added while master, as "
                    + "virtual_ipaddress_excluded); set OPENSHIFT_HA_VIP_GROUPS for smaller instances"))
            }
            // keepalived reads the image's mcast_src_ip and unicast_src_ip lines into one source
            // address (the later, unicast, wins) and ignores one of the other family.
            let source = [unicastSource, multicastSource].compactMap { $0 }.first { $0.family == family }
            if unicastPeers.isEmpty { instance.multicastSourceIP = source } else { instance.unicastSourceIP = source }
            if !unicastPeers.isEmpty {
                let peers = unicastPeers.filter { $0.family == family && $0 != node.primaryAddress && $0 != source }
                if peers.isEmpty {
                    fail("OPENSHIFT_HA_UNICAST_PEERS", "lists no \(isIPv6 ? "IPv6" : "IPv4") peer other than this node "
                        + "for instance \(instance.name)")
                }
                instance.unicastPeers = peers
                if instance.unicastSourceIP == nil, let own = node.primaryAddress, own.family == family {
                    instance.unicastSourceIP = own
                }
            }
            instances.append(instance)
        }
        guard !diagnostics.contains(where: { $0.category == .cannotRun }) else { return (nil, diagnostics) }
        let globals = GlobalDefinitions(routerID: scrubbedName, scriptUser: "root", enableScriptSecurity: true)
        return (Configuration(globalDefinitions: globals, scripts: script.map { [$0] } ?? [], instances: instances),
                diagnostics)
    }

    /// Environment → configuration in one step: parse the variables, then build.
    public static func configuration(environment: [String: String], node: NodeIdentity)
        -> (configuration: Configuration?, settings: OpenShiftEnvironment?, diagnostics: [Diagnostic]) {
        let (settings, parseDiagnostics) = parse(environment)
        guard let settings else { return (nil, nil, parseDiagnostics) }
        let (configuration, buildDiagnostics) = settings.configuration(for: node)
        return (configuration, settings, parseDiagnostics + buildDiagnostics)
    }
}
