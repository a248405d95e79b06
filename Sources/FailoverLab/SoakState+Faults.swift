import Glibc

extension SoakState {
    /// Applies `fault` to `node`, holds it for a random while, and heals it.
    func apply(_ fault: SoakFault, on node: String) async throws {
        let n = cluster.node(node)
        let daemon = daemons[node]!
        switch fault {
        case .kill9:
            await daemon.crash()
            try await Task.sleep(for: random.milliseconds(200, 1500))
            try await start(node)
        case .termRestart:
            await daemon.stop()
            try await Task.sleep(for: random.milliseconds(200, 1500))
            try await start(node)
        case .linkFlap:
            try await cluster.setLink(of: n, up: false)
            try await Task.sleep(for: random.milliseconds(200, 1500))
            try await cluster.setLink(of: n, up: true)
        case .partition:
            try await cluster.setPartitioned(n, true)
            try await Task.sleep(for: random.milliseconds(300, 2000))
            try await cluster.setPartitioned(n, false)
        case .packetLoss:
            let percent = Int.random(in: 10...50, using: &random)
            let port = n.node.bridgePort
            try await cluster.bridgeFirewall("""
            table bridge ipf_soak {
                chain forward {
                    type filter hook forward priority 0; policy accept;
                    iifname "\(port)" numgen random mod 100 < \(percent) drop
                    oifname "\(port)" numgen random mod 100 < \(percent) drop
                }
            }
            """)
            try await Task.sleep(for: random.milliseconds(500, 2500))
            try await cluster.bridgeFirewall("delete table bridge ipf_soak\n")
        case .delay:
            let ms = Int.random(in: 20...80, using: &random)
            try await cluster.run(on: n, ["tc", "qdisc", "add", "dev", n.node.interface, "root", "netem", "delay", "\(ms)ms"])
            try await Task.sleep(for: random.milliseconds(500, 2500))
            try await cluster.run(on: n, ["tc", "qdisc", "del", "dev", n.node.interface, "root"])
        case .checkFail:
            try n.failCheck()
            // The check runs every second: hold long enough for it to fail at least once.
            try await Task.sleep(for: random.milliseconds(1500, 3000))
            n.passCheck()
        case .checkHang:
            try LabFile.write("hang", to: n.checkStateFile)
            try await Task.sleep(for: random.milliseconds(2500, 4000))
            n.passCheck()
        case .reloadSame:
            daemon.signal(SIGHUP)
            try await Task.sleep(for: .milliseconds(100))
        case .reloadChanged:
            let index = names.firstIndex(of: node)!
            if options.configuration == nil {
                bumps[node] = bumps[node] == 0 ? 5 : 0
                configurations[node] = SoakRun.configuration(
                    index: index, nodeCount: names.count, node: n, checkScript: n.directory + "/soak-check.sh",
                    priorityBump: bumps[node]!)
            }
            try LabFile.write(configurations[node]!, to: n.configPath)
            daemon.signal(SIGHUP)
            try await Task.sleep(for: .milliseconds(100))
        case .reloadBroken:
            try LabFile.write(configurations[node]! + "\nvrrp_instance broken {\n    virtual_router_id 300\n", to: n.configPath)
            daemon.signal(SIGHUP)
            try await Task.sleep(for: random.milliseconds(300, 1000))
            try LabFile.write(configurations[node]!, to: n.configPath)
            daemon.signal(SIGHUP)
            try await Task.sleep(for: .milliseconds(100))
        case .reloadBurst:
            for _ in 0..<5 {
                daemon.signal(SIGHUP)
                try await Task.sleep(for: .milliseconds(20))
            }
        }
    }
}

extension SoakRun {
    /// `d` in whole milliseconds, e.g. "412 ms".
    public static func milliseconds(_ d: Duration) -> String {
        "\(d.components.seconds * 1000 + d.components.attoseconds / 1_000_000_000_000_000) ms"
    }
}
