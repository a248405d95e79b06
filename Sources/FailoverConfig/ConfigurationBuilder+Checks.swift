import VRRPWire

/// Where the parts of one instance were written, for per-instance checks.
struct InstanceLocations {
    var block: SourceLocation
    var vips: [SourceLocation]
    var advert: SourceLocation?
    var preemption: SourceLocation?
    var authentication: SourceLocation?
    var peers: [SourceLocation]
}

extension ConfigurationBuilder {
    /// Checks within one instance, adjusting the value as keepalived does.
    mutating func checkInstance(_ instance: inout VRRPInstance, at where_: InstanceLocations) {
        let name = instance.name
        // One address family per instance (RFC 5798 §5.2.9); keepalived drops the others.
        if let family = instance.virtualIPAddresses.first?.address.family {
            var kept: [VirtualIPAddress] = []
            for (vip, location) in zip(instance.virtualIPAddresses, where_.vips) {
                if vip.address.family == family {
                    kept.append(vip)
                } else {
                    note(location, "(\(name)) \(vip.address) is \(vip.address.family == .ipv4 ? "IPv4" : "IPv6") but the "
                        + "instance is \(family == .ipv4 ? "IPv4" : "IPv6") (first address \(instance.virtualIPAddresses[0].address)); ignored")
                }
            }
            instance.virtualIPAddresses = kept
        }
        if instance.virtualIPAddresses.isEmpty {
            note(where_.block, "(\(name)) no virtual_ipaddress; at least one is needed for the instance to be useful")
        }
        let family = instance.addressFamily
        var peers: [IPAddress] = []
        for (peer, location) in zip(instance.unicastPeers, where_.peers) {
            if peer.family == family { peers.append(peer) } else {
                note(location, "(\(name)) unicast peer \(peer) is not of the instance's address family; ignored")
            }
        }
        instance.unicastPeers = peers
        if let source = instance.unicastSourceIP, source.family != family {
            note(where_.block, "(\(name)) unicast_src_ip \(source) is not of the instance's address family; ignored")
            instance.unicastSourceIP = nil
        }
        if family == .ipv6, instance.effectiveVersion(globals) == .v2 {
            note(where_.block, "(\(name)) VRRPv2 cannot carry IPv6 addresses; version 3 used")
            instance.version = .v3
        }
        let version = instance.effectiveVersion(globals)
        let micros = ConfigValue.microseconds(instance.advertisementInterval)
        let location = where_.advert ?? where_.block
        if version == .v2, micros % 1_000_000 != 0 {
            let rounded = max(1, (micros + 500_000) / 1_000_000)
            note(location, "(\(name)) VRRPv2 advert_int \(ConfigValue.secondsText(instance.advertisementInterval)) s "
                + "must be whole seconds; rounded to \(rounded)")
            instance.advertisementInterval = .seconds(rounded)
        } else if version == .v3, micros > 40_950_000 {
            note(location, "(\(name)) VRRPv3 advert_int is at most 40.95 s; 40.95 used")
            instance.advertisementInterval = .milliseconds(40950)
        } else if version == .v3, micros % 10_000 != 0 {
            let rounded = max(1, (micros + 5_000) / 10_000)
            note(location, "(\(name)) VRRPv3 advert_int is carried in centiseconds; rounded to "
                + ConfigValue.secondsText(.milliseconds(rounded * 10)))
            instance.advertisementInterval = .milliseconds(rounded * 10)
        }
        if globals.vrrpStrict, version == .v2, instance.authentication != .none {
            // keepalived 2.2.7: "Strict mode does not support authentication. Ignoring."
            note(where_.authentication ?? where_.block, "(\(name)) vrrp_strict does not allow authentication; ignored")
            instance.authentication = .none
        }
        if version == .v3, instance.authentication != .none {
            note(where_.authentication ?? where_.block, "(\(name)) VRRPv3 has no authentication; ignored")
            instance.authentication = .none
        }
        if instance.preemption != .immediate, instance.state == .master || instance.priority.isOwner {
            let what = instance.preemption == .disabled ? "nopreempt" : "preempt_delay"
            let why = instance.state == .master ? "state MASTER" : "priority 255"
            note(where_.preemption ?? where_.block,
                 "(\(name)) \(what) does not work with \(why); keepalived clears it, and so do we")
            instance.preemption = .immediate
        }
    }
}
