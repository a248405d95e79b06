import FailoverLab
import Glibc
import LinuxNetworking
import Testing

/// Scripts the tests and the lab write and then run: a file still open for writing
/// anywhere cannot be executed (ETXTBSY), and a child spawned by another thread holds
/// a copy of every descriptor of this process until its exec.
@Suite struct ScriptFileTests {
    @Test("An executable is handed back only once no descriptor has it open for writing; while one does, exec fails with ETXTBSY")
    func executableIsReadyOnlyOnceNoWriterRemains() async throws {
        let dir = ScriptDirectory()
        defer { dir.remove() }
        let script = dir.write("held.sh", "#!/bin/sh\nexit 0\n")
        // A writer left open, as a child between clone and exec holds one.
        let writer = open(script, O_WRONLY | O_APPEND | O_CLOEXEC)
        #expect(writer >= 0)
        var pid: pid_t = 0
        let argv: [UnsafeMutablePointer<CChar>?] = [strdup(script), nil]
        defer { for p in argv { free(p) } }
        #expect(posix_spawn(&pid, script, nil, nil, argv, environ) == ETXTBSY, "the kernel refuses to run a file open for writing")
        #expect(throws: LinuxNetworkingError.self, "not ready while the writer is open") {
            try LabFile.awaitNoWriters(script, timeout: .milliseconds(200))
        }
        close(writer)
        try LabFile.awaitNoWriters(script, timeout: .seconds(10))
        #expect(try await LabCommand.run([script]).status == 0)
    }
}
