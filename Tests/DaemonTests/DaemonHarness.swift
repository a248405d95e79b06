import FailoverLab
import Glibc
import LinuxNetworking
import Testing
import VRRPWire

/// Runs real `ipfailover run` processes on lab nodes and reads their status
/// endpoint from inside the node's namespace.
struct DaemonHarness {
    let lab: Lab
    static let statusPort = 63000
    static let vip = "198.51.100.10"

    /// The `ipfailover` executable built next to the test bundle.
    static var binary: String {
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        let exe = n > 0 ? String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self) : ""
        var dir = exe.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
        // Inside an .xctest bundle the binary sits two levels deeper on some layouts.
        while !dir.isEmpty, access(dir + "/ipfailover", X_OK) != 0 {
            dir = dir.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
        }
        return dir + "/ipfailover"
    }

    /// A VRRPv3 instance with 100 ms adverts, so elections take well under a second;
    /// `extra` lines go into the instance block.
    static func configuration(priority: Int, extra: String = "") -> String {
        """
        global_defs { router_id lab }
        vrrp_instance VI_1 {
            state BACKUP
            interface eth0
            virtual_router_id 51
            version 3
            priority \(priority)
            advert_int 0.1
            \(extra)
            virtual_ipaddress { \(vip)/32 }
        }

        """
    }

    /// `count` VRRPv3 instances at 0.1 s (VRID 1…count, one VIP each in
    /// 198.51.100.0/24 and 203.0.113.0/24), as the benchmark's steady-state row runs them.
    static func manyInstances(_ count: Int, priority: Int, master: Bool) -> String {
        var out = "global_defs { router_id lab }\n"
        for n in 1...count {
            let vip = n <= 254 ? "198.51.100.\(n)" : "203.0.113.\(n - 253)"
            out += """
            vrrp_instance VI_\(n) {
                state \(master ? "MASTER" : "BACKUP")
                interface eth0
                virtual_router_id \(n)
                version 3
                priority \(priority)
                advert_int 0.1
                virtual_ipaddress { \(vip)/32 }
            }

            """
        }
        return out
    }

    /// The node's `/status`, decoded; nil while it does not answer.
    func status(of node: Lab.Node) async -> ObservedStatus? {
        guard let body = try? await NamespaceHTTP.get(namespace: node.namespace, port: UInt16(Self.statusPort), path: "/status")
        else { return nil }
        return try? ObservedStatus.decode(body)
    }

    /// Polls until every instance on `node` is in `state`.
    func waitForAll(_ state: String, count: Int, on node: Lab.Node, timeout: Duration = .seconds(30)) async -> ObservedStatus? {
        let deadline = ContinuousClock.now + timeout
        var last: ObservedStatus?
        while ContinuousClock.now < deadline {
            last = await status(of: node)
            if let last, last.instances.count == count, last.instances.allSatisfy({ $0.state == state }) { return last }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return nil
    }

    func configPath(_ node: Lab.Node) -> String { "\(lab.directory)/\(node.name).conf" }

    func writeConfiguration(_ text: String, for node: Lab.Node) throws {
        try LabFile.write(text, to: configPath(node))
    }

    /// Starts `ipfailover run` on `node`; `launcher` (e.g. `prlimit …  --`) execs it.
    /// `statusHost` 0.0.0.0 also serves the status endpoint on the node's address
    /// (for a scraper in another namespace).
    func start(_ node: Lab.Node, logName: String? = nil, extra: [String] = [], launcher: [String] = [],
               statusHost: String = "127.0.0.1") throws -> LabProcess {
        try lab.spawn(in: node.namespace, launcher + [Self.binary, "run"] + extra + ["--config", configPath(node),
                                           "--status-address", "\(statusHost):\(Self.statusPort)",
                                           "--owned-addresses-file", "\(lab.directory)/\(node.name).owned",
                                           "--dump-directory", "\(lab.directory)/\(node.name)"],
                      logName: logName ?? "ipfailover-\(node.name)")
    }

    /// Starts a (priority 150), waits until it is MASTER, then b (priority 100) and
    /// waits until it is BACKUP; records an issue when they do not get there. One
    /// after the other, so that b never takes over at start-up: started together on
    /// a loaded machine, b could win the first election before a's adverts reached
    /// it (seen in CI), and counters read later would hold that extra takeover.
    func startPair() async throws -> (a: LabProcess, b: LabProcess) {
        let a = lab.node("a"), b = lab.node("b")
        try writeConfiguration(Self.configuration(priority: 150), for: a)
        try writeConfiguration(Self.configuration(priority: 100), for: b)
        let pa = try start(a)
        #expect(await waitForState("MASTER", on: a), "a never became MASTER: \(pa.standardError)")
        // The state is MASTER before the address change queued behind it is done.
        #expect(try await waitForVIP(on: a), "a is MASTER without its VIP: \(pa.standardError)")
        let pb = try start(b)
        #expect(await waitForState("BACKUP", on: b), "b never became BACKUP: \(pb.standardError)")
        return (pa, pb)
    }

    /// GET `path` from the node's status endpoint; nil while it does not answer.
    func get(_ path: String, on node: Lab.Node) async -> String? {
        guard let body = try? await NamespaceHTTP.get(namespace: node.namespace, port: UInt16(Self.statusPort), path: path)
        else { return nil }
        return String(decoding: body, as: UTF8.self)
    }

    /// The instance's state as `/status` reports it.
    func state(of node: Lab.Node) async -> String? {
        guard let body = await get("/status", on: node),
              let range = body.firstRange(of: #""state" : ""#) else { return nil }
        return String(body[range.upperBound...].prefix { $0 != "\"" })
    }

    /// Polls until `node` reports `state` or the deadline passes.
    func waitForState(_ state: String, on node: Lab.Node, timeout: Duration = .seconds(15)) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if await self.state(of: node) == state { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return false
    }

    /// Polls until the node's eth0 holds the VIP: `/status` may report MASTER a
    /// moment before the address-change thread has added it.
    func waitForVIP(on node: Lab.Node, timeout: Duration = .seconds(10)) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await holdsVIP(node) { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        return false
    }

    /// Polls until the node's eth0 no longer holds the VIP (a step-down's removal runs
    /// after the state change, on the address thread) or `timeout` passes.
    func waitForNoVIP(on node: Lab.Node, timeout: Duration = .seconds(10)) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await !holdsVIP(node) { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        return false
    }

    /// Whether the node's eth0 holds the VIP right now.
    func holdsVIP(_ node: Lab.Node) async throws -> Bool {
        let result = try await lab.run(in: node.namespace, ["ip", "-o", "addr", "show", "dev", "eth0"])
        return result.standardOutput.contains(" \(Self.vip)/")
    }

    /// A master `a` (priority 150) whose `vrrp_script chk_web` (every 0.2 s) fails while
    /// the returned `down` file exists, writing `stderr` to its stderr and exiting 3,
    /// and a backup `b` (100); both call a notify script that exits 0. Writes the
    /// scripts and both configurations; starts nothing; returns the `down` file.
    func writeBreakableCheckPair(stderr: String, a: Lab.Node, b: Lab.Node) throws -> String {
        let down = "\(lab.directory)/service-down"
        let check = "\(lab.directory)/check.sh", notify = "\(lab.directory)/notify.sh"
        try LabFile.write("#!/bin/sh\n[ -e \(down) ] || exit 0\necho '\(stderr)' >&2\nexit 3\n", to: check, mode: 0o755)
        try LabFile.write("#!/bin/sh\nexit 0\n", to: notify, mode: 0o755)
        let scripts = "vrrp_script chk_web {\n    script \"\(check)\"\n    interval 0.2\n}\n"
        try writeConfiguration(scripts + Self.configuration(priority: 150, extra: "track_script { chk_web }\n    notify \"\(notify)\""), for: a)
        try writeConfiguration(Self.configuration(priority: 100, extra: "notify \"\(notify)\""), for: b)
        return down
    }
}
