import FailoverLab
import Glibc
import Testing

/// Two real `ipfailover run` processes on a bridged lab segment.
@Suite(.serialized, .enabled(if: LabRequirements.shouldRun(["ip"]), "needs root and iproute2"))
struct DaemonLabTests {
    @Test("SIGTERM on the master: priority 0 hands the VIP to the backup, exit 0, VIP gone from the old node")
    func sigtermMovesTheVIP() async throws {
        try LabRequirements.require(["ip"])
        try await Lab.with(nodes: ["a", "b"]) { lab in
            let h = DaemonHarness(lab: lab)
            let a = lab.node("a"), b = lab.node("b")
            let (pa, _) = try await h.startPair()
            #expect(try await h.holdsVIP(a))

            let status = await pa.stop(signal: SIGTERM, grace: .seconds(10))
            #expect(status == 0, "exit status \(status): \(pa.standardError)")
            #expect(await h.waitForState("MASTER", on: b))
            #expect(try await h.waitForVIP(on: b))
            #expect(try await !h.holdsVIP(a))
            // The takeover came from the priority-0 release (skew time), not from
            // waiting out the master-down interval.
            let body = await h.get("/status", on: b) ?? ""
            #expect(body.contains("released (priority 0)"), "\(body)")
            #expect(pa.standardError.contains("STOP"))
        }
    }

    @Test("255 instances at 0.1 s: the higher-priority node takes all 255 over, and both nodes then hold still")
    func twoHundredFiftyFiveInstancesMoveOnceAndStay() async throws {
        // Regression: taking 255 VIPs fsynced the owned-address file once per VIP and
        // stalled the new master's adverts past the old master's down timer, and every
        // event cost time proportional to the instance count: the nodes fought on.
        try LabRequirements.require(["ip"])
        try await Lab.with(nodes: ["a", "b"]) { lab in
            let h = DaemonHarness(lab: lab)
            let a = lab.node("a"), b = lab.node("b")
            try h.writeConfiguration(DaemonHarness.manyInstances(255, priority: 100, master: false), for: b)
            try h.writeConfiguration(DaemonHarness.manyInstances(255, priority: 200, master: true), for: a)
            let pb = try h.start(b)
            #expect(await h.waitForAll("MASTER", count: 255, on: b) != nil, "\(pb.standardError.suffix(2000))")
            let pa = try h.start(a)
            #expect(await h.waitForAll("MASTER", count: 255, on: a) != nil, "\(pa.standardError.suffix(2000))")
            #expect(await h.waitForAll("BACKUP", count: 255, on: b) != nil, "\(pb.standardError.suffix(2000))")
            // A few seconds of steady state (2,550 adverts/s): nobody changes state.
            func transitions(_ s: ObservedStatus, _ counter: String) -> Int {
                s.instances.reduce(0) { $0 + ($1.counters?[counter] ?? 0) }
            }
            let before = (a: try #require(await h.status(of: a)), b: try #require(await h.status(of: b)))
            let until = ContinuousClock.now + .seconds(3)
            while ContinuousClock.now < until {
                try await Task.sleep(for: .milliseconds(500))
                let sa = try #require(await h.status(of: a)), sb = try #require(await h.status(of: b))
                #expect(sa.instances.allSatisfy { $0.state == "MASTER" })
                #expect(sb.instances.allSatisfy { $0.state == "BACKUP" })
            }
            let sa = try #require(await h.status(of: a)), sb = try #require(await h.status(of: b))
            #expect(transitions(sb, "become_master") == transitions(before.b, "become_master"), "b took over again")
            #expect(transitions(sa, "release_master") == transitions(before.a, "release_master"), "a stepped down")
            #expect(transitions(sa, "release_master") == 0, "a stepped down during the takeover")
            #expect(sb.instances.allSatisfy { $0.masterAddress == a.ipv4.description })
            #expect(try await lab.run(in: b.namespace, ["ip", "-o", "addr", "show", "dev", "eth0"]).standardOutput
                .contains("198.51.100.") == false)
        }
    }

    @Test("SIGHUP with a raised priority preempts the master; /status, /metrics and /healthz show it")
    func sighupRaisesPriorityAndPreempts() async throws {
        try LabRequirements.require(["ip"])
        try await Lab.with(nodes: ["a", "b"]) { lab in
            let h = DaemonHarness(lab: lab)
            let a = lab.node("a"), b = lab.node("b")
            let (_, pb) = try await h.startPair()

            try h.writeConfiguration(DaemonHarness.configuration(priority: 200), for: b)
            kill(pb.pid, SIGHUP)
            #expect(await h.waitForState("MASTER", on: b), "\(pb.standardError)")
            #expect(await h.waitForState("BACKUP", on: a))
            #expect(try await h.waitForVIP(on: b))
            #expect(try await h.waitForNoVIP(on: a))
            let status = await h.get("/status", on: b) ?? ""
            #expect(status.contains(#""basePriority" : 200"#))
            let metrics = await h.get("/metrics", on: b) ?? ""
            #expect(metrics.contains(#"keepalived_vrrp_state{iname="VI_1",intf="eth0",vrid="51"} 2"#), "\(metrics)")
            #expect(metrics.contains(#"keepalived_become_master_total{iname="VI_1",intf="eth0",vrid="51"} 1"#))
            // The engine's timer is the alarm thread here: /healthz must see it armed.
            #expect(await h.get("/healthz", on: a) != nil, "/healthz is 200 on the backup")
            #expect(await h.get("/healthz", on: b) != nil, "/healthz is 200 on the master")
        }
    }

    @Test("SIGHUP with a broken file keeps the running configuration")
    func sighupWithABrokenFileKeepsRunning() async throws {
        try LabRequirements.require(["ip"])
        try await Lab.with(nodes: ["a"]) { lab in
            let h = DaemonHarness(lab: lab)
            let a = lab.node("a")
            try h.writeConfiguration(DaemonHarness.configuration(priority: 150), for: a)
            let pa = try h.start(a)
            #expect(await h.waitForState("MASTER", on: a))
            try h.writeConfiguration("vrrp_instance VI_1 {\n  virtual_router_id 300\n", for: a)
            kill(pa.pid, SIGHUP)
            let log = await lab.waitForFile(pa.standardErrorPath) { $0.contains("reload refused") }
            #expect(log.satisfied, "\(log.contents)")
            #expect(await h.state(of: a) == "MASTER")
            #expect(try await h.holdsVIP(a))
            #expect(pa.exitStatusIfEnded == nil)
        }
    }

    @Test("run ensures the nftables rule admitting VRRP, and leaves it in place when it stops")
    func firewallRuleIsInstalledAndOutlivesTheDaemon() async throws {
        try LabRequirements.require(["ip", "nft"])
        try await Lab.with(nodes: ["a"]) { lab in
            let h = DaemonHarness(lab: lab)
            let a = lab.node("a")
            try h.writeConfiguration(DaemonHarness.configuration(priority: 150), for: a)
            let pa = try h.start(a, extra: ["--firewall", "own"])
            #expect(await h.waitForState("MASTER", on: a))
            let listing = try await lab.run(in: a.namespace, ["nft", "list", "table", "inet", "ipfailover"], allowFailure: true)
            #expect(listing.standardOutput.contains("ip protocol 112") || listing.standardOutput.contains("ip protocol vrrp"),
                    "\(listing.standardOutput) \(listing.standardError) \(pa.standardError)")
            #expect(listing.standardOutput.contains("224.0.0.18"))
            #expect(await pa.stop(signal: SIGTERM, grace: .seconds(10)) == 0)
            let after = try await lab.run(in: a.namespace, ["nft", "list", "table", "inet", "ipfailover"], allowFailure: true)
            #expect(after.status == 0, "the rule is removed only by `ipfailover cleanup`")
        }
    }

    @Test("ipfailover status prints the live table; SIGUSR1 writes a data dump with the transitions and SIGUSR2 the keepalived stats")
    func usr1AndUsr2WriteDumps() async throws {
        try LabRequirements.require(["ip"])
        try await Lab.with(nodes: ["a"]) { lab in
            let h = DaemonHarness(lab: lab)
            let a = lab.node("a")
            mkdir("\(lab.directory)/a", 0o755)
            try h.writeConfiguration(DaemonHarness.configuration(priority: 150), for: a)
            let pa = try h.start(a)
            #expect(await h.waitForState("MASTER", on: a))
            let table = try await lab.run(in: a.namespace, [DaemonHarness.binary, "status", "--status-address",
                                                            "127.0.0.1:\(DaemonHarness.statusPort)"])
            let row = table.standardOutput.split(separator: "\n").first { $0.hasPrefix("VI_1") }.map(String.init) ?? ""
            #expect(row.contains("MASTER") && row.contains("150") && row.contains(DaemonHarness.vip), "\(table.standardOutput)")
            kill(pa.pid, SIGUSR1)
            let data = await lab.waitForFile("\(lab.directory)/a/ipfailover.data") { $0.contains("State = MASTER") }
            #expect(data.satisfied, "\(data.contents)")
            #expect(data.contents.contains("Virtual Router ID = 51"))
            // The transition history and the conflict state, one fact a line.
            #expect(data.contents.contains(" INIT -> BACKUP priority 150: start\n"), "\(data.contents)")
            #expect(data.contents.contains(" BACKUP -> MASTER priority 150: "), "\(data.contents)")
            #expect(data.contents.contains("   Split brain = none, episodes 0, adverts 0\n"), "\(data.contents)")
            #expect(data.contents.contains("   VRID collision = none, episodes 0, adverts 0\n"), "\(data.contents)")
            kill(pa.pid, SIGUSR2)
            let stats = await lab.waitForFile("\(lab.directory)/a/ipfailover.stats") { $0.contains("become_master: 1") }
            #expect(stats.satisfied, "\(stats.contents)")
            #expect(stats.contents.contains("advert_sent:"))
        }
    }

    @Test("kill -9 of the master: the backup takes over, and the restarted daemon removes the stale VIP")
    func killNineThenRestartLeavesNoStaleVIP() async throws {
        try LabRequirements.require(["ip"])
        try await Lab.with(nodes: ["a", "b"]) { lab in
            let h = DaemonHarness(lab: lab)
            let a = lab.node("a"), b = lab.node("b")
            let (pa, _) = try await h.startPair()
            _ = await pa.stop(signal: SIGKILL)
            // The dead master's VIP is still on its interface: nothing removed it.
            #expect(try await h.holdsVIP(a))
            #expect(await h.waitForState("MASTER", on: b))

            // Restart with a lower priority so it stays BACKUP: any VIP left on it is stale.
            try h.writeConfiguration(DaemonHarness.configuration(priority: 50), for: a)
            let restarted = try h.start(a, logName: "ipfailover-a-restarted")
            #expect(await h.waitForState("BACKUP", on: a), "\(restarted.standardError)")
            #expect(try await !h.holdsVIP(a))
            #expect(try await h.waitForVIP(on: b))
            #expect(restarted.standardError.contains("left behind by a previous run"))
        }
    }

    @Test("run with a malformed OPENSHIFT_HA_VIRTUAL_IPS exits non-zero with one line naming the variable")
    func badEnvironmentExitsWithOneLine() async throws {
        let dir = "/tmp/ipf-env-\(getpid())"
        mkdir(dir, 0o700)
        defer { _ = try? LabFile.write("", to: dir + "/x"); unlink(dir + "/x"); unlink(dir + "/keepalived.conf"); rmdir(dir) }
        let result = try await LabCommand.run(
            ["env", "OPENSHIFT_HA_VIRTUAL_IPS=1.2.3.300", "OPENSHIFT_HA_NETWORK_INTERFACE=lo",
             DaemonHarness.binary, "run", "--config", dir + "/keepalived.conf", "--status-address", "off"],
            allowFailure: true)
        #expect(result.status != 0)
        let lines = result.standardError.split(separator: "\n")
        #expect(lines.count == 1, "\(result.standardError)")
        #expect(lines.first?.contains("OPENSHIFT_HA_VIRTUAL_IPS") == true)
        #expect(lines.first?.contains("1.2.3.300") == true)
        #expect(access(dir + "/keepalived.conf", F_OK) != 0, "nothing is rendered from a bad environment")
    }
}
