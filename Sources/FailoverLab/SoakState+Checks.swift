import Glibc
import VRRPWire

extension SoakState {
    /// One observation: states of every live daemon (ipfailover: `/status`; keepalived:
    /// the last state its log of this incarnation entered, `KeepalivedLog`), VIPs in each node's kernel,
    /// and, with a window, who answered each VIP in it.
    func observe(answersFrom: ContinuousClock.Instant? = nil) async -> SoakSnapshot {
        var states: [String: [String: String]] = [:]
        var addresses: [String: [String]] = [:]
        let vips = Set(instances.values.flatMap { $0 })
        for name in names {
            let daemon = daemons[name]!
            if let process = daemon.process, process.exitStatusIfEnded == nil {
                if isKeepalived(name) {
                    let byInstance = KeepalivedLog.states(process.standardError + process.standardOutput)
                    states[name] = instances.keys.reduce(into: [:]) { $0[$1] = byInstance[$1] ?? "INIT" }
                } else if let status = try? await daemon.status() {
                    states[name] = status.instances.reduce(into: [:]) { $0[$1.name] = $1.state }
                }
            }
            let held = (try? await cluster.addresses(on: cluster.node(name))) ?? []
            addresses[name] = held.filter { vips.contains($0) }.sorted()
        }
        var answering: [String: [String]]?
        if let from = answersFrom, let probe {
            answering = [:]
            for vip in vips {
                guard let address = IPAddress(vip) else { continue }
                answering![vip] = probe.nodes(answering: address, from: from).keys.sorted()
            }
        }
        return SoakSnapshot(instances: instances, states: states, addresses: addresses, answering: answering)
    }

    /// Waits until the cluster is settled (the `settled` invariants hold) and stays
    /// unchanged for the stable window; returns when that state was first seen, or nil
    /// (a violation) when it does not happen within the settle timeout.
    func settle(since: ContinuousClock.Instant) async -> ContinuousClock.Instant? {
        let deadline = since + options.settleTimeout
        var stableSince: ContinuousClock.Instant?
        var stableState: SoakSnapshot?
        var last: SoakSnapshot?
        var lastProblems: [String] = []
        while !Task.isCancelled {
            let now = ContinuousClock.now
            let snapshot = await observe()
            last = snapshot
            lastProblems = SoakInvariants.settled(snapshot, expectedNodes: names)
            if lastProblems.isEmpty {
                if let at = stableSince, stableState == snapshot {
                    if now - at >= stableWindow { return at }
                } else {
                    stableSince = now
                    stableState = snapshot
                }
            } else {
                stableSince = nil
                stableState = nil
            }
            if now >= deadline { break }
            try? await Task.sleep(for: .milliseconds(50))
        }
        if Task.isCancelled { return nil }
        violation("one MASTER per VRID holding its VIPs", "not settled within \(options.settleTimeout): "
                  + lastProblems.joined(separator: "; ") + " [" + (last?.summary ?? "") + "]", from: since)
        return nil
    }

    /// The checks of a quiet period (the cluster has just settled): the client heard
    /// each VIP from its master alone, notify calls match the states, no zombie
    /// children, every daemon alive; and one resource sample per ipfailover daemon.
    func quietChecks() async {
        let begin = ContinuousClock.now
        let zombiesBefore = zombies()
        // The answers of a window that starts once the settled state was confirmed.
        try? await Task.sleep(for: .milliseconds(400))
        let snapshot = await observe(answersFrom: begin + .milliseconds(100))
        let problems = SoakInvariants.settled(snapshot, expectedNodes: names)
        let silent = SoakInvariants.silent(snapshot)
        if !problems.isEmpty || !silent.isEmpty {
            // What the client's kernel knows of the VIPs' owners: an unresolved neighbour explains silence.
            let neighbours = (try? await cluster.lab.run(in: cluster.client.namespace, ["ip", "neigh", "show"],
                                                          allowFailure: true).standardOutput) ?? ""
            let context = " [" + snapshot.summary + "; client neighbours: "
                + neighbours.split(separator: "\n").joined(separator: ", ") + "]"
            for problem in problems { violation("quiet period", problem + context, from: begin) }
            for vip in silent {
                let outage = SoakReport.Violation(event: currentEvent, fault: currentFault, invariant: "client outage",
                                                  detail: "\(vip) not answered" + context,
                                                  windowStart: seconds(begin), windowEnd: seconds(.now))
                silences.append(outage)
                if options.verbose { output("  outage: event \(currentEvent) (\(currentFault)) \(vip) not answered" + context) }
            }
        }
        await checkNotifications(snapshot, since: begin)
        // A child that stays a zombie across the quiet period is never reaped.
        let zombiesAfter = zombies()
        for (pid, parent) in zombiesAfter where zombiesBefore[pid] == parent {
            violation("no zombies", "pid \(pid) (child of \(parent)) stays in state Z", from: begin)
        }
        await checkAlive(since: begin)
        for name in names where !isKeepalived(name) {
            guard let pid = daemons[name]!.process?.pid, let sample = Self.resources(of: pid) else { continue }
            samples[name, default: []].append(sample)
        }
    }

    /// Notify calls of this incarnation per instance: none twice in a row, the last one
    /// the reported state. The script runs asynchronously: a late last call gets a few seconds.
    func checkNotifications(_ snapshot: SoakSnapshot, since: ContinuousClock.Instant) async {
        if options.configuration != nil { return }
        let deadline = ContinuousClock.now + .seconds(5)
        for name in names where !isKeepalived(name) {
            guard let states = snapshot.states[name] else { continue }
            var problems: [String] = []
            while true {
                let records = cluster.node(name).notifications.dropFirst(notifyOffsets[name] ?? 0)
                problems = states.keys.sorted().flatMap { instance in
                    SoakInvariants.notifications(records.filter { $0.type == "INSTANCE" && $0.name == instance }.map(\.state),
                                                 current: states[instance]!, instance: instance, node: name)
                }
                if problems.isEmpty || ContinuousClock.now >= deadline { break }
                try? await Task.sleep(for: .milliseconds(50))
            }
            for problem in problems { violation("notify order", problem, from: since) }
        }
    }

    /// Zombie processes (state Z) among the descendants of the daemons: pid → parent.
    func zombies() -> [Int32: Int32] {
        var parent: [Int32: Int32] = [:], state: [Int32: Character] = [:]
        guard let dir = opendir("/proc") else { return [:] }
        defer { closedir(dir) }
        while let entry = readdir(dir) {
            let name = String(cString: (UnsafeRawPointer(entry) + MemoryLayout<dirent>.offset(of: \.d_name)!)
                .assumingMemoryBound(to: CChar.self))
            guard let pid = Int32(name), let stat = LabFile.read("/proc/\(pid)/stat"),
                  let close = stat.lastIndex(of: ")") else { continue }
            // "pid (comm) S ppid …": comm may hold spaces and parentheses, so parse after the last ')'.
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count >= 2, let ppid = Int32(fields[1]) else { continue }
            parent[pid] = ppid
            state[pid] = fields[0].first
        }
        var family = Set(names.compactMap { daemons[$0]!.process?.pid })
        var grew = true
        while grew {
            grew = false
            for (pid, ppid) in parent where family.contains(ppid) && !family.contains(pid) {
                family.insert(pid)
                grew = true
            }
        }
        return parent.filter { family.contains($0.key) && state[$0.key] == "Z" }
    }

    /// Open descriptors and resident memory (KiB) of `pid`.
    static func resources(of pid: Int32) -> (fds: Int, rss: Int)? {
        guard let dir = opendir("/proc/\(pid)/fd") else { return nil }
        var fds = 0
        while let entry = readdir(dir) {
            // Not "." or "..": the first byte of d_name, read in place (see `Lab.entries`).
            let first = (UnsafeRawPointer(entry) + MemoryLayout<dirent>.offset(of: \.d_name)!).load(as: UInt8.self)
            if first != UInt8(ascii: ".") { fds += 1 }
        }
        closedir(dir)
        guard let status = LabFile.read("/proc/\(pid)/status"),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let kib = Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
        else { return nil }
        return (fds, kib)
    }
}
