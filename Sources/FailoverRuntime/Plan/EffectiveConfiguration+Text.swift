extension EffectiveConfiguration {
    /// The human-readable form: keepalived's keywords, one setting a line, every
    /// default shown, in configuration order.
    public var text: String {
        var out = Lines()
        out.section("global_defs")
        out.setting("router_id", globals.routerID ?? "(none)")
        out.setting("vrrp_version", "\(globals.vrrpVersion)")
        out.setting("vrrp_strict", yes(globals.vrrpStrict))
        out.setting("enable_script_security", yes(globals.enableScriptSecurity))
        out.setting("script_user", globals.scriptUser ?? "keepalived_script if it exists, else root")
        out.setting("vrrp_mcast_group4", globals.multicastGroup4)
        out.setting("vrrp_mcast_group6", globals.multicastGroup6)
        out.setting("vrrp_garp_interval", Self.format(globals.garpIntervalSeconds))
        out.setting("vrrp_gna_interval", Self.format(globals.gnaIntervalSeconds))
        out.setting("notify_fifo", globals.notifyFifo ?? "(none)")
        if let script = globals.notifyFifoScript { out.setting("notify_fifo_script", script) }
        for i in instances {
            out.section("vrrp_instance \(i.name)")
            out.setting("state", i.state)
            out.setting("interface", i.interface)
            out.setting("virtual_router_id", "\(i.virtualRouterID)")
            out.setting("priority", "\(i.priority)")
            out.setting("advert_int", Self.format(i.advertIntervalSeconds))
            out.setting("version", "\(i.version) (\(i.family))")
            out.setting("source address", i.sourceAddress ?? "none: \(i.interface) has no \(i.family) address here, run would refuse")
            out.setting(i.unicast ? "unicast_peer" : "multicast group", i.destinations.joined(separator: " "))
            out.setting("preempt", i.preempt ? "yes" : "no (nopreempt)")
            out.setting("preempt_delay", Self.format(i.preemptDelaySeconds))
            out.setting("authentication", i.authentication)
            out.setting("down_timer_adverts", "\(i.downTimerAdverts)")
            out.setting("accept", yes(i.accept))
            out.setting("garp_master_repeat", "\(i.garpMasterRepeat)")
            out.setting("garp_master_delay", i.garpMasterDelaySeconds.map(Self.format) ?? "off (one burst)")
            out.setting("garp_master_refresh", i.garpMasterRefreshSeconds.map(Self.format) ?? "off")
            out.setting("garp_master_refresh_repeat", "\(i.garpMasterRefreshRepeat)")
            out.setting("garp_lower_prio_repeat", "\(i.garpLowerPriorityRepeat)")
            out.list("track_interface", i.trackInterfaces.map { "\($0.name) weight \($0.weight)" + ($0.reverse ? " reverse" : "") })
            out.list("track_script", i.trackScripts.map { s in
                var line = "\(s.name) weight \(s.weight)" + (s.reverse ? " reverse" : "")
                line += " rise \(s.rise) fall \(s.fall)"
                if let interval = s.intervalSeconds { line += " interval \(Self.format(interval))" }
                if let timeout = s.timeoutSeconds { line += " timeout \(Self.format(timeout))" }
                if s.initFail { line += " init_fail" }
                if let user = s.user { line += " user \(user)" }
                return line + ": " + (s.script ?? "(no vrrp_script: disabled)")
            })
            out.list("virtual_ipaddress", i.virtualIPAddresses)
            out.list("virtual_ipaddress_excluded", i.excludedIPAddresses)
            out.notify(i.notify)
            if let group = i.syncGroup { out.setting("sync group", group) }
            out.list("adjusted", i.adjustments)
        }
        for g in syncGroups {
            out.section("vrrp_sync_group \(g.name)")
            out.setting("group", g.members.joined(separator: " "))
            out.notify(g.notify)
        }
        return out.text
    }

    private func yes(_ value: Bool) -> String { value ? "yes" : "no" }

    /// Seconds as keepalived writes them: `1s`, `0.5s`.
    static func format(_ seconds: Double) -> String {
        seconds == seconds.rounded() ? "\(Int(seconds))s" : "\(seconds)s"
    }

    /// Aligned `keyword value` lines under section headers.
    private struct Lines {
        var text = ""

        mutating func section(_ title: String) {
            if !text.isEmpty { text += "\n" }
            text += title + "\n"
        }

        mutating func setting(_ keyword: String, _ value: String) {
            text += "   " + keyword + String(repeating: " ", count: max(0, 28 - keyword.count)) + " " + value + "\n"
        }

        /// A keyword with one entry a line below it, or `(none)`.
        mutating func list(_ keyword: String, _ entries: [String]) {
            guard !entries.isEmpty else { return setting(keyword, "(none)") }
            text += "   \(keyword)\n"
            for entry in entries { text += "      \(entry)\n" }
        }

        mutating func notify(_ n: EffectiveConfiguration.Notify) {
            let commands = [("notify", n.notify), ("notify_master", n.notifyMaster), ("notify_backup", n.notifyBackup),
                            ("notify_fault", n.notifyFault), ("notify_stop", n.notifyStop), ("notify_fifo", n.fifo)]
                .compactMap { keyword, command in command.map { (keyword, $0) } }
            guard !commands.isEmpty else { return setting("notify", "(none)") }
            for (keyword, command) in commands { setting(keyword, command) }
            if let user = n.user { setting("notify user", user) }
        }
    }
}
