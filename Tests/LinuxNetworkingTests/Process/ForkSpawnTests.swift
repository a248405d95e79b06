import FailoverRuntime
import Glibc
import LinuxNetworking
import Testing

/// `IPFAILOVER_SPAWN_WITH_FORK=1` (docs/daemon.md): scripts start as a fork with its
/// pidfd taken in the same clone call, for tools that cannot follow a child sharing
/// the daemon's memory (valgrind, which `scripts/link-order` profiles the daemon
/// under and which has no pidfd_open). The fork runs the same child code and is
/// watched and reaped the same way as the daemon's usual clone(CLONE_VM) child.
@Suite struct ForkSpawnTests {
    /// The launcher in a process of its own (the spawn mode is read once per process),
    /// running `script` once: its termination and output lines, as the helper prints them.
    static func runInHelper(_ script: String) async throws -> [String] {
        let helper = ParentDeathTests.helperPath
        try #require(access(helper, X_OK) == 0, "\(helper) not built")
        let command = [helper, "--run", script]
        let outcome = await LinuxProcessLauncher().launch(LaunchRequest(
            executablePath: command[0], arguments: command,
            environment: ["PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "IPFAILOVER_SPAWN_WITH_FORK": "1"],
            timeout: .seconds(30), killGrace: .seconds(1), outputLineLimit: 200))
        try #require(outcome.succeeded, "helper: \(outcome)")
        return outcome.output.filter { $0.stream == .stdout }.map(\.text)
    }

    @Test func forkedScriptRunsToItsExitStatusAndOutput() async throws {
        let dir = ScriptDirectory()
        defer { dir.remove() }
        let script = dir.write("check.sh", "#!/bin/sh\necho started\nexit 3\n")
        let lines = try await Self.runInHelper(script)
        #expect(lines.contains("termination exited(3)"), "\(lines)")
        #expect(lines.contains("output started"), "\(lines)")
    }
}
