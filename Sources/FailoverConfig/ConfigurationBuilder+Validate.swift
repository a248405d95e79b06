import VRRPWire

extension ConfigurationBuilder {
    /// Checks across sections: script references, sync-group members, VRID uniqueness,
    /// script security. Adjusts the configuration as keepalived would.
    mutating func validate(_ configuration: inout Configuration) {
        let scriptNames = Set(configuration.scripts.map(\.name))
        for index in configuration.instances.indices {
            let name = configuration.instances[index].name
            let locations = trackScriptLocations[name] ?? []
            var kept: [TrackEntry] = []
            for (offset, tracked) in configuration.instances[index].trackScripts.enumerated() {
                if scriptNames.contains(tracked.name) {
                    kept.append(tracked)
                } else {
                    note(offset < locations.count ? locations[offset] : instanceLocations[name]!,
                         "(\(name)) track_script '\(tracked.name)' is not defined by any vrrp_script; ignored")
                }
            }
            configuration.instances[index].trackScripts = kept
        }

        // RFC 5798 §5.2.3: a VRID identifies one virtual router per interface and family.
        var owners: [String: String] = [:]
        var dropped: Set<String> = []
        for instance in configuration.instances {
            let key = "\(instance.interface)|\(instance.addressFamily)|\(instance.virtualRouterID)"
            if let first = owners[key] {
                error(vridLocations[instance.name] ?? instanceLocations[instance.name]!,
                      "(\(instance.name)) virtual_router_id \(instance.virtualRouterID) is already used by '\(first)' "
                      + "on \(instance.interface) (\(instance.addressFamily == .ipv4 ? "IPv4" : "IPv6")); instance not started")
                dropped.insert(instance.name)
            } else {
                owners[key] = instance.name
            }
        }
        configuration.instances.removeAll { dropped.contains($0.name) }

        let instanceNames = Set(configuration.instances.map(\.name))
        var memberOf: [String: String] = [:]
        for index in configuration.syncGroups.indices {
            let group = configuration.syncGroups[index]
            let groupLocation = groupLocations[group.name]!
            let locations = groupMemberLocations[group.name] ?? []
            var members: [String] = []
            for (offset, member) in group.group.enumerated() {
                let location = offset < locations.count ? locations[offset] : groupLocation
                if !instanceNames.contains(member) {
                    note(location, "(\(group.name)) sync group member '\(member)' is not a (valid) vrrp_instance; ignored")
                } else if let other = memberOf[member] {
                    note(location, "(\(group.name)) '\(member)' is already in sync group '\(other)'; ignored")
                } else {
                    memberOf[member] = group.name
                    members.append(member)
                }
            }
            if members.count == 1 {
                note(groupLocation, "(\(group.name)) a sync group with a single member has no effect")
            }
            configuration.syncGroups[index].group = members
            let trackLocations = groupTrackLocations[group.name] ?? []
            var kept: [TrackEntry] = []
            for (offset, tracked) in group.trackScripts.enumerated() {
                if scriptNames.contains(tracked.name) { kept.append(tracked) } else {
                    note(offset < trackLocations.count ? trackLocations[offset] : groupLocation,
                         "(\(group.name)) track_script '\(tracked.name)' is not defined by any vrrp_script; ignored")
                }
            }
            configuration.syncGroups[index].trackScripts = kept
        }

        if configuration.usesScripts, !configuration.globalDefinitions.enableScriptSecurity {
            diagnostics.append(Diagnostic(.scriptSecurity, firstScriptLocation.map { .source($0) } ?? .none,
                "scripts are configured but 'enable_script_security' is not set in global_defs"))
        }
    }
}
