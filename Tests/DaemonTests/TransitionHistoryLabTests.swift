import FailoverLab
import Glibc
import Testing

/// The transition history of real daemons: a check failure on the master moves the
/// VIP, and each node's `/status` says why its instance changed state.
@Suite(.serialized, .enabled(if: LabRequirements.shouldRun(["ip"]), "needs root and iproute2"))
struct TransitionHistoryLabTests {
    @Test("A failed check on the master: its /status names the check's exit status and stderr; the backup's names the priority-0 advert from the master")
    func failoverReasonsInStatus() async throws {
        try LabRequirements.require(["ip"])
        try await Lab.with(nodes: ["a", "b"]) { lab in
            let h = DaemonHarness(lab: lab)
            let a = lab.node("a"), b = lab.node("b")
            let down = try h.writeBreakableCheckPair(stderr: "backend refused the connection", a: a, b: b)
            let pa = try h.start(a)
            #expect(await h.waitForState("MASTER", on: a), "\(pa.standardError)")
            let pb = try h.start(b)
            #expect(await h.waitForState("BACKUP", on: b), "\(pb.standardError)")

            // `status --watch` with stdout in a file: each changed table once, no ANSI.
            let watch = try lab.spawn(in: a.namespace, [DaemonHarness.binary, "status", "--watch", "--interval", "0.1",
                                                        "--status-address", "127.0.0.1:\(DaemonHarness.statusPort)"],
                                      logName: "status-watch")
            #expect(await Self.eventually { watch.standardOutput.contains("MASTER") }, "\(watch.standardError)")

            try LabFile.write("", to: down)
            #expect(await h.waitForState("FAULT", on: a), "\(pa.standardError)")
            #expect(await h.waitForState("MASTER", on: b), "\(pb.standardError)")

            #expect(await Self.eventually { watch.standardOutput.contains("FAULT") }, "\(watch.standardOutput)")
            kill(watch.pid, SIGINT)
            #expect(await Self.eventually { watch.exitStatusIfEnded != nil }, "--watch did not end on SIGINT")
            #expect(watch.exitStatusIfEnded == 0, "\(watch.standardError)")
            let drawn = watch.standardOutput
            #expect(!drawn.contains("\u{1B}["), "ANSI escapes in a non-terminal: \(drawn)")
            let tables = drawn.components(separatedBy: "\n--- ").count
            #expect(tables >= 2, "\(drawn)")
            print("status --watch, stdout not a terminal:\n\(drawn)")
            #expect(drawn.components(separatedBy: "INSTANCE").count - 1 == tables, "each table printed once: \(drawn)")

            let fault = try #require(await h.status(of: a)?.instance("VI_1")?.history?.last)
            #expect("\(fault.from)→\(fault.to)" == "MASTER→FAULT")
            #expect(fault.cause == "check")
            #expect(fault.reason == "check chk_web failed")
            #expect(fault.detail?.contains("exit 3") == true, "\(fault)")
            #expect(fault.detail?.contains("backend refused the connection") == true, "\(fault)")
            // The FAULT notify ends shortly after the transition.
            var notified = false
            for _ in 0..<100 {
                if let call = await h.status(of: a)?.instance("VI_1")?.history?.last?.notifies?.first {
                    #expect(call.command.hasSuffix("notify.sh INSTANCE VI_1 FAULT 150"), "\(call)")
                    #expect(call.exitStatus == 0 && call.durationSeconds != nil, "\(call)")
                    notified = true
                    break
                }
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(notified, "the FAULT notify's result never appeared in a's /status")

            let takeover = try #require(await h.status(of: b)?.instance("VI_1")?.history?.last)
            #expect("\(takeover.from)→\(takeover.to)" == "BACKUP→MASTER")
            #expect(takeover.cause == "priority-0")
            #expect(takeover.peer == a.ipv4.description)
            #expect(takeover.reason == "priority-0 advert from \(a.ipv4)")
            let start = try #require(await h.status(of: b)?.instance("VI_1")?.history?.first)
            #expect(start.cause == "start")

            // `status --history` prints the same records as a table.
            let onA = try await Self.history(lab, in: a.namespace)
            #expect(onA.contains("MASTER→FAULT") && onA.contains("check chk_web failed"), "\(onA)")
            #expect(onA.contains("exit 3") && onA.contains("backend refused the connection"), "\(onA)")
            #expect(onA.contains("notify.sh exit 0"), "\(onA)")
            print("status --history on a:\n\(onA)")
            let onB = try await Self.history(lab, in: b.namespace)
            #expect(onB.contains("BACKUP→MASTER") && onB.contains("priority-0 advert from \(a.ipv4)"), "\(onB)")
        }
    }

    static func history(_ lab: Lab, in namespace: String) async throws -> String {
        try await lab.run(in: namespace, [DaemonHarness.binary, "status", "--history",
                                          "--status-address", "127.0.0.1:\(DaemonHarness.statusPort)"]).standardOutput
    }

    static func eventually(_ condition: () async -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            if await condition() { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return false
    }

    @Test("run refuses a history size outside 1…1024, naming the flag or the variable, before touching anything",
          arguments: [(["--history-size", "0"], [String]()), (["--history-size", "5000"], []),
                      ([], ["IPFAILOVER_HISTORY_SIZE=lots"])])
    func badHistorySizeIsRefused(flags: [String], environment: [String]) async throws {
        let result = try await LabCommand.run(
            ["env"] + environment + [DaemonHarness.binary, "run", "--config", "/nonexistent/keepalived.conf",
                                     "--status-address", "off"] + flags,
            allowFailure: true)
        #expect(result.status != 0)
        let named = flags.isEmpty ? "IPFAILOVER_HISTORY_SIZE 'lots'" : "--history-size '\(flags[1])'"
        #expect(result.standardError.contains("\(named) is not a number of transitions from 1 to 1024"), "\(result.standardError)")
    }
}
