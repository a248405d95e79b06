import FailoverRuntime
import Glibc
import LinuxNetworking
import Synchronization
import Testing

/// The supervisor never waits for one child: orphans that escape their group are
/// reaped, and a leader the kernel will not let us reap never holds up other runs.
@Suite struct StuckChildTests {
    let launcher = LinuxProcessLauncher()

    /// Waits (bounded, generous) until `condition` holds.
    static func eventually(_ condition: () -> Bool) async -> Bool {
        let deadline = ContinuousClock.now.advanced(by: .seconds(20))
        while ContinuousClock.now < deadline {
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return condition()
    }

    /// A background child that calls setsid leaves the script's group, outlives the
    /// script, and is re-parented to us (child subreaper): when it exits it must be
    /// reaped, not left as a zombie of the daemon.
    @Test func orphanThatEscapedWithSetsidIsReapedWhenItExits() async {
        let dir = ScriptDirectory()
        defer { dir.remove() }
        let script = dir.write("escape.sh", """
            #!/bin/sh
            setsid sleep 1 &
            echo $! > \(dir.path)/orphan
            exit 0

            """)
        let outcome = await launcher.launch(ProcessLab.request([script], timeout: .seconds(5)))
        #expect(outcome.succeeded)
        guard let orphan = Int32(dir.read("orphan").trimmingCharacters(in: .whitespacesAndNewlines)) else {
            Issue.record("the script did not record its background child")
            return
        }
        // Gone from the process table: exited and reaped (a zombie would stay listed).
        let reaped = await Self.eventually { ProcessTable.entry(pid: orphan) == nil }
        #expect(reaped, "pid \(orphan) is \(ProcessTable.entry(pid: orphan).map { "state \($0.state), parent \($0.parentPID)" } ?? "gone")")
        #expect(ProcessTable.zombies(childrenOf: getpid()).filter { $0.pid == orphan }.isEmpty)
    }

    /// A script whose leader is held by a tracer outside its group (a zombie only the
    /// tracer may reap: waitid without WNOHANG blocks until the tracer lets go) must
    /// not stall the supervisor: another check started meanwhile completes, the stuck
    /// run is given up by its abandon deadline, and the leader is reaped once the
    /// tracer is gone.
    @Test(.enabled(if: ProcessLab.isRoot && ProcessLab.hasTool("/usr/bin/perl") && ProcessLab.hasTool("/usr/bin/setsid"),
                   "needs root, perl and setsid"))
    func tracedLeaderNeverStallsOtherChecks() async {
        let dir = ScriptDirectory()
        defer { dir.remove() }
        // perl seizes the script (its parent) with PTRACE_SEIZE (0x4206; syscall 101 on
        // x86_64, 117 on aarch64) from its own session, then idles without ever waiting.
        let ptrace = {
            var name = utsname()
            uname(&name)
            let machine = withUnsafeBytes(of: name.machine) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            return machine == "aarch64" ? 117 : 101
        }()
        let tracer = dir.write("tracer.pl", """
            #!/usr/bin/perl
            my $target = getppid();
            syscall(\(ptrace), 0x4206, $target, 0, 0) == 0 or die "ptrace: $!";
            open(my $fh, '>', '\(dir.path)/tracer') or die; print $fh "$$\\n"; close($fh);
            sleep 60;

            """)
        let script = dir.write("traced.sh", """
            #!/bin/sh
            setsid \(tracer) &
            while [ ! -s \(dir.path)/tracer ]; do :; done
            exit 0

            """)
        let stuck = Task { await launcher.launch(ProcessLab.request([script], timeout: .seconds(1), grace: .milliseconds(200))) }
        let traced = await Self.eventually { !dir.read("tracer").isEmpty }
        #expect(traced, "the tracer never attached")
        let tracerPID = Int32(dir.read("tracer").trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        defer { if tracerPID > 0 { kill(tracerPID, SIGKILL) } }

        // Another check while the leader is held: it must complete.
        let other = dir.write("other.sh", "#!/bin/sh\nexit 0\n")
        let done = Atomic<Bool>(false)
        let probe = Task {
            let outcome = await launcher.launch(ProcessLab.request([other], timeout: .seconds(2)))
            done.store(true, ordering: .releasing)
            return outcome
        }
        let finished = await Self.eventually { done.load(ordering: .acquiring) }
        #expect(finished, "a check could not complete while another script's leader was held by a tracer")
        if finished { #expect(await probe.value.succeeded) }

        let stuckOutcome = await stuck.value
        #expect(stuckOutcome.abandoned)
        #expect(!stuckOutcome.succeeded)
        guard let leader = stuckOutcome.processID else { return }

        // Once the tracer is gone the leader is ours to reap, and it is reaped.
        if tracerPID > 0 { kill(tracerPID, SIGKILL) }
        let reaped = await Self.eventually { ProcessTable.entry(pid: leader) == nil }
        #expect(reaped, "the abandoned leader \(leader) was never reaped")
    }
}
