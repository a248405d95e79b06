extension ConfigurationBuilder {
    mutating func buildScript(name: String, statement: Statement, block: [Statement]) -> VRRPScript? {
        var script = VRRPScript(name: name, script: "")
        var sawScript = false
        for s in block {
            switch s.name {
            case "script":
                guard let first = s.arguments.first else {
                    note(s.location, "'script' needs a command; ignored")
                    continue
                }
                sawScript = true
                firstScriptLocation = firstScriptLocation ?? s.location
                script.script = first.isQuoted && s.arguments.count == 1
                    ? first.text : s.arguments.map(\.text).joined(separator: " ")
            case "interval":
                if let v = duration(s, .milliseconds(1) ... .seconds(86400)) { script.interval = v }
            case "timeout":
                if let v = duration(s, .milliseconds(1) ... .seconds(86400)) { script.timeout = v }
            case "weight":
                guard let t = s.arguments.first else {
                    note(s.location, "'weight' needs a value; ignored")
                    continue
                }
                if let v = ConfigValue.integer(t.text), (-253...253).contains(v) {
                    script.weight = v
                } else {
                    note(t.location, "'weight' must be an integer in -253…253, got '\(t.text)'; ignored")
                }
                for extra in s.arguments.dropFirst() {
                    if extra.text == "reverse" { script.weightReverse = true } else {
                        note(extra.location, "unexpected '\(extra.text)' after 'weight'; ignored")
                    }
                }
            case "rise":
                if let v = integer(s, 1...1_000_000) { script.rise = v }
            case "fall":
                if let v = integer(s, 1...1_000_000) { script.fall = v }
            case "user":
                if let (user, group) = userAndGroup(s) { (script.user, script.group) = (user, group) }
            case "init_fail":
                noArguments(s)
                script.initFail = true
            default:
                unknown(s, in: "vrrp_script")
            }
        }
        guard sawScript, !script.script.isEmpty else {
            note(statement.location, "vrrp_script '\(name)' has no 'script'; ignored")
            return nil
        }
        return script
    }

    mutating func buildSyncGroup(name: String, block: [Statement]) -> VRRPSyncGroup {
        var group = VRRPSyncGroup(name: name)
        groupMemberLocations[name] = nil
        groupTrackLocations[name] = nil
        for s in block {
            switch s.name {
            case "group":
                for entry in listEntries(s) {
                    group.group.append(entry.name)
                    groupMemberLocations[name, default: []].append(entry.location)
                    for extra in entry.arguments {
                        group.group.append(extra.text)
                        groupMemberLocations[name, default: []].append(extra.location)
                    }
                }
            case "notify", "notify_master", "notify_backup", "notify_fault", "notify_stop":
                setNotify(s, &group.notifyScripts)
            case "track_script":
                for entry in listEntries(s) {
                    let (n, w, r) = tracked(entry, weightRange: -253...253)
                    group.trackScripts.append(TrackEntry(name: n, weight: w, reverse: r))
                    groupTrackLocations[name, default: []].append(entry.location)
                }
            case "smtp_alert", "global_tracking", "sync_group_tracking_weight", "track_interface", "track_file",
                 "track_process", "track_bfd", "notify_priority_changes":
                unsupported(s, in: "vrrp_sync_group")
            default:
                unknown(s, in: "vrrp_sync_group")
            }
        }
        return group
    }
}
