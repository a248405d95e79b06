import VRRPWire

/// Writes a `Configuration` as keepalived.conf text: stable (same model → same bytes),
/// readable, accepted by keepalived, and parsed back by `KeepalivedConfigParser` into
/// the same model. Values equal to keepalived's defaults are left out.
/// Section order follows the OpenShift image: global_defs, vrrp_script, vrrp_instance
/// (then vrrp_sync_group, which the image never writes).
public struct KeepalivedRenderer: Sendable {
    /// Comment lines written at the top (each prefixed with `# `).
    public var header: [String]

    public init(header: [String] = []) {
        self.header = header
    }

    /// The renderer env mode uses: a header naming the source and the node, so the
    /// file explains itself to someone reading /etc/keepalived/keepalived.conf.
    public static func environmentMode(node: NodeIdentity) -> KeepalivedRenderer {
        KeepalivedRenderer(header: [
            "Rendered by ipfailover from the OPENSHIFT_HA_* environment; do not edit.",
            "Node: \(node.hostname) \(node.primaryAddress?.description ?? "(no address)")",
        ])
    }

    public func render(_ configuration: Configuration) -> String {
        var out = Writer()
        for line in header { out.line("# \(Self.commentSafe(line))") }
        if !header.isEmpty { out.blank() }
        renderGlobals(configuration.globalDefinitions, &out)
        for script in configuration.scripts {
            out.blank()
            renderScript(script, &out)
        }
        for instance in configuration.instances {
            out.blank()
            renderInstance(instance, &out)
        }
        for group in configuration.syncGroups {
            out.blank()
            out.open("vrrp_sync_group \(q(group.name))")
            out.open("group")
            for member in group.group { out.line(q(member)) }
            out.close()
            renderNotify(group.notifyScripts, &out)
            renderTrackScripts(group.trackScripts, &out)
            out.close()
        }
        return out.text
    }

    private func q(_ text: String) -> String { ConfigValue.quoted(text) }
    private func s(_ d: Duration) -> String { ConfigValue.secondsText(d) }

    private func renderGlobals(_ g: GlobalDefinitions, _ out: inout Writer) {
        let d = GlobalDefinitions()
        out.open("global_defs")
        if let id = g.routerID { out.line("router_id \(q(id))") }
        if g.enableScriptSecurity { out.line("enable_script_security") }
        if let user = g.scriptUser { out.line("script_user \(q(user))" + (g.scriptGroup.map { " \(q($0))" } ?? "")) }
        if g.vrrpVersion != d.vrrpVersion { out.line("vrrp_version \(g.vrrpVersion.rawValue)") }
        if g.vrrpStrict { out.line("vrrp_strict") }
        if g.garpMasterDelay != d.garpMasterDelay { out.line("vrrp_garp_master_delay \(s(g.garpMasterDelay))") }
        if g.garpMasterRepeat != d.garpMasterRepeat { out.line("vrrp_garp_master_repeat \(g.garpMasterRepeat)") }
        if let r = g.garpMasterRefresh { out.line("vrrp_garp_master_refresh \(s(r))") }
        if g.garpMasterRefreshRepeat != d.garpMasterRefreshRepeat {
            out.line("vrrp_garp_master_refresh_repeat \(g.garpMasterRefreshRepeat)")
        }
        if g.garpInterval != d.garpInterval { out.line("vrrp_garp_interval \(s(g.garpInterval))") }
        if g.gnaInterval != d.gnaInterval { out.line("vrrp_gna_interval \(s(g.gnaInterval))") }
        if let v = g.garpLowerPriorityDelay { out.line("vrrp_garp_lower_prio_delay \(s(v))") }
        if let v = g.garpLowerPriorityRepeat { out.line("vrrp_garp_lower_prio_repeat \(v)") }
        if g.multicastGroup4 != d.multicastGroup4 { out.line("vrrp_mcast_group4 \(g.multicastGroup4)") }
        if g.multicastGroup6 != d.multicastGroup6 { out.line("vrrp_mcast_group6 \(g.multicastGroup6)") }
        if let f = g.notifyFifo { out.line("notify_fifo \(q(f))") }
        if let f = g.notifyFifoScript { out.line("notify_fifo_script \(q(f))") }
        if let p = g.maxAutoPriority { out.line("max_auto_priority \(p)") }
        out.close()
    }

    private func renderScript(_ script: VRRPScript, _ out: inout Writer) {
        out.open("vrrp_script \(q(script.name))")
        // Always quoted: a command line with arguments must stay one word.
        out.line("script \"\(escape(script.script))\"")
        out.line("interval \(s(script.interval))")
        if let t = script.timeout { out.line("timeout \(s(t))") }
        if script.weight != 0 || script.weightReverse {
            out.line("weight \(script.weight)" + (script.weightReverse ? " reverse" : ""))
        }
        if script.rise != 1 { out.line("rise \(script.rise)") }
        if script.fall != 1 { out.line("fall \(script.fall)") }
        if let user = script.user { out.line("user \(q(user))" + (script.group.map { " \(q($0))" } ?? "")) }
        if script.initFail { out.line("init_fail") }
        out.close()
    }

    private func escape(_ text: String) -> String {
        var out = ""
        for c in text {
            if c == "\"" || c == "\\" { out.append("\\") }
            out.append(c)
        }
        return out
    }

    private func renderInstance(_ i: VRRPInstance, _ out: inout Writer) {
        out.open("vrrp_instance \(q(i.name))")
        out.line("interface \(q(i.interface))")
        if i.state == .master { out.line("state MASTER") }
        out.line("virtual_router_id \(i.virtualRouterID)")
        out.line("priority \(i.priority)")
        if i.advertisementInterval != .seconds(1) { out.line("advert_int \(s(i.advertisementInterval))") }
        if let v = i.version { out.line("version \(v.rawValue)") }
        switch i.preemption {
        case .immediate: break
        case .disabled: out.line("nopreempt")
        case .delayed(let d): out.line("preempt_delay \(s(d))")
        }
        if let accept = i.accept { out.line(accept ? "accept" : "no_accept") }
        if i.downTimerAdverts != 3 { out.line("down_timer_adverts \(i.downTimerAdverts)") }
        if let d = i.garpMasterDelay { out.line("garp_master_delay \(s(d))") }
        if let r = i.garpMasterRepeat { out.line("garp_master_repeat \(r)") }
        if let r = i.garpMasterRefresh { out.line("garp_master_refresh \(s(r))") }
        if case .simplePassword(let bytes) = i.authentication {
            var trimmed = bytes[...]
            while trimmed.last == 0 { trimmed = trimmed.dropLast() }
            out.open("authentication")
            out.line("auth_type PASS")
            out.line("auth_pass \(q(String(decoding: trimmed, as: UTF8.self)))")
            out.close()
        }
        renderTrackScripts(i.trackScripts, &out)
        if !i.trackInterfaces.isEmpty {
            out.open("track_interface")
            for t in i.trackInterfaces { out.line(tracked(t.name, t.weight, t.reverse)) }
            out.close()
        }
        renderNotify(i.notifyScripts, &out)
        if let m = i.multicastSourceIP { out.line("mcast_src_ip \(m)") }
        if let u = i.unicastSourceIP { out.line("unicast_src_ip \(u)") }
        if !i.unicastPeers.isEmpty {
            out.open("unicast_peer")
            for peer in i.unicastPeers { out.line(peer.description) }
            out.close()
        }
        out.open("virtual_ipaddress")
        for vip in i.virtualIPAddresses { out.line(virtualAddress(vip)) }
        out.close()
        if !i.excludedVirtualIPAddresses.isEmpty {
            out.open("virtual_ipaddress_excluded")
            for vip in i.excludedVirtualIPAddresses { out.line(virtualAddress(vip)) }
            out.close()
        }
        out.close()
    }

    /// A `virtual_ipaddress` line with every name quoted where it needs to be, so an
    /// interface called `a#b` stays one word (keepalived reads `"a#b"` as the name).
    private func virtualAddress(_ vip: VirtualIPAddress) -> String {
        var text = vip.address.description
        if let prefixLength = vip.prefixLength { text += "/\(prefixLength)" }
        if let device = vip.device { text += " dev \(q(device))" }
        if let label = vip.label { text += " label \(q(label))" }
        if let scope = vip.scope { text += " scope \(q(scope))" }
        return text
    }

    /// A header line as comment text: control characters (a newline would end the
    /// comment and make the rest configuration) are written as `\u{XX}`.
    static func commentSafe(_ line: String) -> String {
        var out = ""
        for scalar in line.unicodeScalars {
            switch scalar.properties.generalCategory {
            case .control, .lineSeparator, .paragraphSeparator:
                out += "\\u{\(String(scalar.value, radix: 16))}"
            default:
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    private func tracked(_ name: String, _ weight: Int?, _ reverse: Bool) -> String {
        var text = q(name)
        if let weight { text += " weight \(weight)" }
        if reverse { text += " reverse" }
        return text
    }

    private func renderTrackScripts(_ scripts: [TrackEntry], _ out: inout Writer) {
        guard !scripts.isEmpty else { return }
        out.open("track_script")
        for t in scripts { out.line(tracked(t.name, t.weight, t.reverse)) }
        out.close()
    }

    private func renderNotify(_ n: NotifyScripts, _ out: inout Writer) {
        for (keyword, command) in n.all { out.line("\(keyword) \"\(escape(command))\"") }
    }

    /// Indented line writer.
    private struct Writer {
        var text = ""
        var depth = 0

        mutating func line(_ s: String) {
            text += String(repeating: "    ", count: depth) + s + "\n"
        }

        mutating func blank() { text += "\n" }

        mutating func open(_ s: String) {
            line(s + " {")
            depth += 1
        }

        mutating func close() {
            depth -= 1
            line("}")
        }
    }
}
