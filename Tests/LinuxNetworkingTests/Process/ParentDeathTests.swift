import FailoverRuntime
import Glibc
import LinuxNetworking
import Testing

/// If the daemon dies (even by SIGKILL), its scripts die with it.
@Suite struct ParentDeathTests {
    /// The ScriptBenchmark executable next to the test bundle (built by `swift build --build-tests`).
    static var helperPath: String {
        let bundle = CommandLine.arguments[0]
        let directory = bundle.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
        return directory + "/ScriptBenchmark"
    }

    @Test func scriptDiesWhenTheDaemonIsKilled() async throws {
        _ = LinuxProcessLauncher()  // child subreaper: the orphaned script comes to us
        let helper = Self.helperPath
        try #require(access(helper, X_OK) == 0, "\(helper) not built")
        let dir = ScriptDirectory()
        defer { dir.remove() }
        let script = dir.write("held.sh", "#!/bin/sh\necho $$ > \(dir.path)/pid.tmp\nmv \(dir.path)/pid.tmp \(dir.path)/pid\nexec sleep 30\n")
        var daemon: pid_t = 0
        let argv: [UnsafeMutablePointer<CChar>?] = [strdup(helper), strdup("--hold"), strdup(script), nil]
        defer { argv.forEach { free($0) } }
        try #require(posix_spawn(&daemon, helper, nil, nil, argv, environ) == 0)
        // Wait for the script to announce itself (polling a file an external process writes).
        var scriptPID: pid_t = 0
        for _ in 0..<2000 where scriptPID == 0 {
            scriptPID = pid_t(dir.read("pid").split(separator: "\n").first ?? "") ?? 0
            if scriptPID == 0 { try await Task.sleep(for: .milliseconds(5)) }
        }
        guard scriptPID > 0 else {
            kill(daemon, SIGKILL)
            var status: Int32 = 0
            waitpid(daemon, &status, 0)
            Issue.record("script never started")
            return
        }
        kill(daemon, SIGKILL)
        var status: Int32 = 0
        waitpid(daemon, &status, 0)
        // The script was re-parented to us (subreaper). Either this test reaps it, or
        // the supervisor's orphan sweep (running for other tests' scripts) does first.
        var reaped: pid_t = 0
        let deadline = ContinuousClock.now.advanced(by: .seconds(10))
        while reaped == 0 && ContinuousClock.now < deadline {
            reaped = waitpid(scriptPID, &status, WNOHANG)
            if reaped == 0 { try await Task.sleep(for: .milliseconds(5)) }
        }
        if reaped == scriptPID {
            // Killed by the parent-death signal, not ended by `sleep 30`.
            #expect(status & 0x7f == SIGKILL)
        } else {
            // Reaped by the sweep: gone long before `sleep 30` could have ended.
            #expect(reaped == -1 && errno == ECHILD)
            #expect(ProcessTable.entry(pid: scriptPID) == nil)
        }
        if reaped == 0 { kill(scriptPID, SIGKILL) }
    }
}
