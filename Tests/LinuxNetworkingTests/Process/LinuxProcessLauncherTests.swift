import FailoverRuntime
import Glibc
import LinuxNetworking
import Testing

/// Real scripts in a temporary directory, run by the real launcher.
@Suite struct LinuxProcessLauncherTests {
    let launcher = LinuxProcessLauncher()

    /// After a run nothing of its process group may exist — no process, no zombie.
    func expectGroupGone(_ outcome: LaunchOutcome, sourceLocation: SourceLocation = #_sourceLocation) {
        guard let pid = outcome.processID else {
            Issue.record("no pid in \(outcome)", sourceLocation: sourceLocation)
            return
        }
        #expect(ProcessTable.members(ofProcessGroup: pid).isEmpty, sourceLocation: sourceLocation)
        #expect(kill(-pid, 0) == -1 && errno == ESRCH, sourceLocation: sourceLocation)
        #expect(ProcessTable.zombies(childrenOf: getpid()).filter { $0.processGroup == pid }.isEmpty,
                sourceLocation: sourceLocation)
    }

    @Test(arguments: [0, 1, 3, 255])
    func exitStatusIsReported(code: Int32) async {
        let dir = ScriptDirectory()
        defer { dir.remove() }
        let script = dir.write("exit.sh", "#!/bin/sh\nexit \(code)\n")
        let outcome = await launcher.launch(ProcessLab.request([script]))
        #expect(outcome.termination == .exited(code))
        #expect(outcome.succeeded == (code == 0))
        #expect(!outcome.timedOut)
        expectGroupGone(outcome)
    }

    @Test func stderrTailKeepsTheLastLines() async {
        let dir = ScriptDirectory()
        defer { dir.remove() }
        let script = dir.write("noisy.sh", "#!/bin/sh\nfor i in 1 2 3 4 5 6 7 8; do echo line $i >&2; done\necho out\nexit 2\n")
        let outcome = await launcher.launch(ProcessLab.request([script]))
        #expect(outcome.termination == .exited(2))
        #expect(outcome.stderrTail == ["line 4", "line 5", "line 6", "line 7", "line 8"])
    }

    /// stdout and stderr are both captured, line by line with their stream (the
    /// order between the two pipes is only as precise as their reads).
    @Test func outputOfBothStreamsIsCaptured() async {
        let dir = ScriptDirectory()
        defer { dir.remove() }
        let script = dir.write("talk.sh", "#!/bin/sh\necho 'to stdout'\necho 'to stderr' >&2\nexit 1\n")
        let outcome = await launcher.launch(ProcessLab.request([script]))
        #expect(outcome.termination == .exited(1))
        #expect(Set(outcome.output) == [ScriptOutputLine(stream: .stdout, text: "to stdout"),
                                        ScriptOutputLine(stream: .stderr, text: "to stderr")])
        #expect(outcome.outputLinesDropped == 0)
        #expect(outcome.stderrTail == ["to stderr"])
    }

    /// Output is bounded: lines past the limit are counted, an over-long line is cut,
    /// and a flood never blocks the script.
    @Test func outputIsBoundedAndAFloodNeverBlocksTheScript() async {
        let dir = ScriptDirectory()
        defer { dir.remove() }
        let script = dir.write("flood.sh", """
            #!/bin/bash
            echo first
            printf '%*s\\n' 5000 x | tr ' ' y
            for i in $(seq 1 20000); do echo "flood $i"; done
            printf 'no newline'

            """)
        var request = ProcessLab.request([script])
        request.outputLineLimit = 3
        let outcome = await launcher.launch(request)
        #expect(outcome.succeeded)
        #expect(outcome.output.map(\.stream) == [.stdout, .stdout, .stdout])
        #expect(outcome.output.first?.text == "first")
        let long = outcome.output.dropFirst().first?.text ?? ""
        #expect(long.hasPrefix("yyyy") && long.hasSuffix("…"))
        #expect(long.utf8.count <= ScriptOutputLine.maximumLineBytes + "…".utf8.count)
        #expect(outcome.output.last?.text == "flood 1")
        #expect(outcome.outputLinesDropped == 20000)  // 19,999 flood lines + the unterminated last one
    }

    @Test func argumentsAndEnvironmentArePassedExactly() async {
        let dir = ScriptDirectory()
        defer { dir.remove() }
        let script = dir.write("args.sh", "#!/bin/sh\nprintf '%s\\n' \"$@\" > \(dir.path)/args\nenv > \(dir.path)/env\n")
        var request = ProcessLab.request([script, "a b", "", "MASTER"])
        request.environment = ScriptEnvironment.sanitised(["LD_PRELOAD": "/x.so", "IFS": "x", "MARK": "1"])
        let outcome = await launcher.launch(request)
        #expect(outcome.succeeded)
        #expect(dir.read("args") == "a b\n\nMASTER\n")
        let env = dir.read("env")
        #expect(env.contains("MARK=1"))
        #expect(!env.contains("LD_PRELOAD"))
        #expect(!env.contains("IFS="))
    }

    @Test func sleepingScriptIsTerminatedAtTheTimeout() async {
        let dir = ScriptDirectory()
        defer { dir.remove() }
        let script = dir.write("sleep.sh", "#!/bin/sh\nsleep 30\n")
        let timeout = Duration.milliseconds(200), grace = Duration.milliseconds(300)
        let outcome = await launcher.launch(ProcessLab.request([script], timeout: timeout, grace: grace))
        #expect(outcome.timedOut)
        #expect(!outcome.succeeded)
        // Killed, not run to its end (30 s, or never): far below that, with room for a loaded machine.
        #expect(outcome.duration < .seconds(10))
        expectGroupGone(outcome)
    }

    @Test func scriptIgnoringSIGTERMIsKilledAfterTheGrace() async {
        let dir = ScriptDirectory()
        defer { dir.remove() }
        let script = dir.write("stubborn.sh", "#!/bin/bash\ntrap '' TERM\necho ignoring TERM >&2\nwhile :; do sleep 0.05; done\n")
        let timeout = Duration.milliseconds(200), grace = Duration.milliseconds(300)
        let outcome = await launcher.launch(ProcessLab.request([script], timeout: timeout, grace: grace))
        #expect(outcome.timedOut)
        #expect(outcome.termination == .signaled(SIGKILL))
        #expect(outcome.duration >= timeout + grace)
        // Killed, not run to its end (30 s, or never): far below that, with room for a loaded machine.
        #expect(outcome.duration < .seconds(10))
        #expect(outcome.stderrTail == ["ignoring TERM"])
        expectGroupGone(outcome)
    }

    /// A background child keeps stderr open and outlives the script: the launcher
    /// must not wait for EOF, and must kill and reap the child.
    @Test func backgroundChildOfAFinishedScriptIsKilledAndReaped() async {
        let dir = ScriptDirectory()
        defer { dir.remove() }
        let script = dir.write("forks.sh", "#!/bin/sh\nsleep 30 &\nsleep 30 &\necho forked >&2\nexit 0\n")
        let outcome = await launcher.launch(ProcessLab.request([script], timeout: .seconds(5)))
        #expect(outcome.termination == .exited(0))
        #expect(outcome.succeeded)
        #expect(outcome.strayProcessesKilled == 2)
        #expect(outcome.duration < .seconds(5))
        expectGroupGone(outcome)
    }

    @Test func hungScriptWithBackgroundChildIsFailedWithinTimeoutPlusGrace() async {
        let dir = ScriptDirectory()
        defer { dir.remove() }
        let script = dir.write("hang.sh", "#!/bin/bash\n( trap '' TERM; sleep 30 ) &\nexec sleep 30\n")
        let timeout = Duration.milliseconds(200), grace = Duration.milliseconds(300)
        let outcome = await launcher.launch(ProcessLab.request([script], timeout: timeout, grace: grace))
        #expect(outcome.timedOut)
        // Killed, not run to its end (30 s, or never): far below that, with room for a loaded machine.
        #expect(outcome.duration < .seconds(10))
        expectGroupGone(outcome)
    }

    @Test func missingProgramFailsToStart() async {
        let outcome = await launcher.launch(ProcessLab.request(["/nonexistent/check.sh"]))
        guard case .failedToStart(let reason) = outcome.termination else {
            Issue.record("expected failedToStart, got \(outcome)")
            return
        }
        #expect(reason.contains("/nonexistent/check.sh"))
        #expect(!outcome.succeeded)
    }

    @Test func cancellingTheCallerTerminatesTheScript() async {
        let dir = ScriptDirectory()
        defer { dir.remove() }
        let script = dir.write("started.sh", "#!/bin/sh\necho $$ > \(dir.path)/pid\nexec sleep 30\n")
        let task = Task { await launcher.launch(ProcessLab.request([script], timeout: .seconds(60), grace: .milliseconds(200))) }
        // Wait for the script to prove it runs (event: its pid file), then cancel.
        while dir.read("pid").isEmpty { await Task.yield() }
        task.cancel()
        let outcome = await task.value
        #expect(outcome.timedOut)
        expectGroupGone(outcome)
    }

    /// A task cancelled before it launches (e.g. at shutdown) never starts the script.
    @Test func launchFromACancelledTaskDoesNotRunTheScript() async {
        let dir = ScriptDirectory()
        defer { dir.remove() }
        let script = dir.write("marker.sh", "#!/bin/sh\ntouch \(dir.path)/ran\nexec sleep 30\n")
        let task = Task { () -> LaunchOutcome in
            while !Task.isCancelled { await Task.yield() }
            return await launcher.launch(ProcessLab.request([script], timeout: .seconds(60)))
        }
        task.cancel()
        let outcome = await task.value
        #expect(outcome.termination == .failedToStart("cancelled before start"))
        #expect(outcome.timedOut)
        #expect(access(dir.path + "/ran", F_OK) != 0)
    }

    @Test(.enabled(if: ProcessLab.isRoot, "switching credentials needs root"))
    func scriptRunsAsTheConfiguredUser() async {
        let dir = ScriptDirectory()
        defer { dir.remove() }
        chmod(dir.path, 0o777)
        let script = dir.write("id.sh", "#!/bin/sh\nid -u > \(dir.path)/uid\nid -G > \(dir.path)/groups\n")
        let outcome = await launcher.launch(ProcessLab.request([script], credentials: ScriptCredentials(uid: 65534, gid: 65534)))
        #expect(outcome.succeeded)
        #expect(dir.read("uid") == "65534\n")
        #expect(dir.read("groups") == "65534\n")
    }

    /// Scripts without `#!` go through `/bin/sh -c` with keepalived's quoting.
    @Test func scriptWithoutInterpreterLineRunsThroughTheShell() async {
        let dir = ScriptDirectory()
        defer { dir.remove() }
        dir.write("plain.sh", "echo \"$1\" > \(dir.path)/out\n")
        let preparer = ScriptPreparer(inspector: LinuxScriptHostInspector(), enableScriptSecurity: true, defaultCredentials: .root, environment: [:])
        let prepared = preparer.prepare(CheckScriptSpec(name: "chk", commandLine: "\(dir.path)/plain.sh 'a b'"))
        guard case .process(let request) = prepared.probe else {
            Issue.record("\(prepared.probe)")
            return
        }
        #expect(request.executablePath == "/bin/sh")
        let outcome = await launcher.launch(request)
        #expect(outcome.succeeded)
        #expect(dir.read("out") == "a b\n")
    }

    /// A script run leaves the daemon's memory as it was: no copy of its page tables
    /// and no page left copy-on-write, which would cost the daemon a page fault for
    /// every page it writes after each run (with fork: one per page of a 16 MiB
    /// buffer written here; with clone(CLONE_VM): none).
    @Test func aScriptRunLeavesTheCallersPagesWritableWithoutFaults() async throws {
        let pages = 4096
        let size = pages * Int(sysconf(Int32(_SC_PAGESIZE)))
        let buffer = try #require(mmap(nil, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0))
        #expect(buffer != MAP_FAILED)
        defer { munmap(buffer, size) }
        // 4 KiB pages, so that a fault counts per page.
        _ = madvise(buffer, size, 15 /* MADV_NOHUGEPAGE */)
        func writeEveryPage(_ value: UInt8) -> Int {
            var before = rusage(), after = rusage()
            getrusage(1 /* RUSAGE_THREAD */, &before)
            for page in 0..<pages { buffer.storeBytes(of: value, toByteOffset: page * (size / pages), as: UInt8.self) }
            getrusage(1, &after)
            return after.ru_minflt - before.ru_minflt
        }
        _ = writeEveryPage(1)
        let outcome = await launcher.launch(ProcessLab.request(["/bin/true"]))
        #expect(outcome.succeeded)
        let faults = writeEveryPage(2)
        #expect(faults < pages / 4, "\(faults) page faults writing \(pages) pages after a script run")
    }
}
