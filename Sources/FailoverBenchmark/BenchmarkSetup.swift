/// One timing set-up of the benchmark: VRRP version and advertisement interval, and
/// the keepalived.conf both daemons run from. The master is node `a` (priority 200,
/// `state MASTER`), the backup node `b` (priority 100).
struct BenchmarkSetup: Sendable, Hashable {
    /// 2 or 3.
    var version: Int
    /// Advertisement_Interval in seconds (v3: a multiple of 0.01 s; v2: whole seconds).
    var advertisementInterval: Double

    static let v3Fast = BenchmarkSetup(version: 3, advertisementInterval: 0.1)
    static let v2Slow = BenchmarkSetup(version: 2, advertisementInterval: 1)

    static let masterPriority = 200
    static let backupPriority = 100

    /// "VRRPv3 0.1 s".
    var label: String {
        let interval = advertisementInterval == advertisementInterval.rounded()
            ? "\(Int(advertisementInterval))" : "\(advertisementInterval)"
        return "VRRPv\(version) \(interval) s"
    }

    /// Skew_Time of a backup with `priority` (RFC 5798 §6.1 for v3, RFC 3768 §6.1 for v2), seconds.
    func skewTime(priority: Int) -> Double {
        version == 3 ? Double(256 - priority) * advertisementInterval / 256 : Double(256 - priority) / 256
    }

    /// Master_Down_Interval of a backup with `priority`, seconds.
    func masterDownInterval(priority: Int) -> Double {
        3 * advertisementInterval + skewTime(priority: priority)
    }

    /// The check script a node runs: fails while `failFile` exists.
    static func checkScriptText(failFile: String) -> String {
        "#!/bin/sh\n[ ! -e \(failFile) ]\n"
    }

    /// A tracked check script for the instances.
    struct Check: Sendable, Hashable {
        /// Full path of the script.
        var path: String
        /// `interval` in seconds.
        var interval: Double
    }

    /// The keepalived.conf of the node with `priority`: `instances` instances (VRID 1…,
    /// VIP 198.51.100.(9+n)), optionally `extraIPv6` IPv6 VIPs 2001:db8:100::1… in the
    /// first instance's `virtual_ipaddress_excluded`, optionally a check script tracked by
    /// every instance (weight 0: failing means FAULT) and a notify script.
    func configuration(priority: Int, master: Bool, instances: Int = 1, check: Check? = nil, notify: String? = nil,
                       extraIPv6: Int = 0, layout: IPv6Layout = .sequential) -> String {
        var out = "global_defs {\n    router_id bench\n    script_user root\n}\n\n"
        if let check {
            out += """
            vrrp_script chk_bench {
                script "\(check.path)"
                interval \(Self.format(check.interval))
                weight 0
                fall 1
                rise 1
            }


            """
        }
        for n in 1...instances {
            out += "vrrp_instance VI_\(n) {\n"
            out += "    state \(master ? "MASTER" : "BACKUP")\n"
            out += "    interface eth0\n"
            out += "    virtual_router_id \(n)\n"
            out += "    version \(version)\n"
            out += "    priority \(priority)\n"
            out += "    advert_int \(Self.format(advertisementInterval))\n"
            if check != nil { out += "    track_script {\n        chk_bench\n    }\n" }
            if let notify { out += "    notify \"\(notify)\"\n" }
            out += "    virtual_ipaddress {\n        \(Self.vip(n))/32 dev eth0\n    }\n"
            if n == 1, extraIPv6 > 0 {
                out += "    virtual_ipaddress_excluded {\n"
                for k in 1...extraIPv6 { out += "        \(Self.ipv6VIP(k, layout))/128 dev eth0\n" }
                out += "    }\n"
            }
            out += "}\n\n"
        }
        return out
    }

    /// The IPv4 VIP of instance `n` (1…255): 198.51.100.n, the 255th 203.0.113.1.
    static func vip(_ n: Int) -> String { n <= 254 ? "198.51.100.\(n)" : "203.0.113.\(n - 253)" }
    /// The k-th IPv6 VIP (k ≥ 1).
    static func ipv6VIP(_ k: Int, _ layout: IPv6Layout = .sequential) -> String {
        switch layout {
        case .sequential: "2001:db8:100::\(String(k, radix: 16))"
        case .sharedSolicitedNode: "2001:db8:100:0:\(String(k, radix: 16))::1"
        }
    }

    /// How the many IPv6 VIPs of row 4 are numbered. The kernel joins one
    /// solicited-node multicast group (ff02::1:ffXX:XXXX, the address's low 24 bits)
    /// per distinct group and walks the interface's group list on every add, so
    /// 999 sequential addresses cost it about 0.5 s whatever the daemon does;
    /// addresses that share their low 24 bits share one group.
    enum IPv6Layout: Sendable {
        /// 2001:db8:100::1, ::2, … (999 groups).
        case sequential
        /// 2001:db8:100:0:1::1, 2001:db8:100:0:2::1, … (one group, same /64).
        case sharedSolicitedNode
    }

    static func format(_ seconds: Double) -> String {
        seconds == seconds.rounded() ? "\(Int(seconds))" : "\(seconds)"
    }
}
