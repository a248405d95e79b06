@testable import FailoverRuntime
import Testing

/// Golden splits following keepalived's `alloc_strvec_quoted_escaped`.
@Suite struct ScriptCommandTests {
    @Test(arguments: [
        ("/etc/keepalived/check.sh", ["/etc/keepalived/check.sh"]),
        ("  /bin/check   a\tb  ", ["/bin/check", "a", "b"]),
        ("/bin/check 'a b' c", ["/bin/check", "a b", "c"]),
        ("/bin/check \"a b\" c", ["/bin/check", "a b", "c"]),
        ("/bin/check a'b c'd", ["/bin/check", "ab cd"]),
        ("/bin/check \"it's\"", ["/bin/check", "it's"]),
        ("/bin/check 'say \"hi\"'", ["/bin/check", "say \"hi\""]),
        ("/bin/check a\\ b", ["/bin/check", "a b"]),
        ("/bin/check 'a\\'b'", ["/bin/check", "a'b"]),
        ("/bin/check \\t\\x41\\101\\cA", ["/bin/check", "\tAA\u{01}"]),
        ("/bin/check ''", ["/bin/check", ""]),
        ("/bin/bash -c '</dev/tcp/192.0.2.10/80'", ["/bin/bash", "-c", "</dev/tcp/192.0.2.10/80"]),
    ])
    func splitsLikeKeepalived(line: String, words: [String]) throws {
        #expect(try ScriptCommand(parsing: line).words == words)
    }

    @Test(arguments: [
        ("/bin/check 'open", "missing terminating '"),
        ("/bin/check \"open", "missing terminating \""),
        ("/bin/check trailing\\", "missing escaped character after a trailing backslash"),
        ("   ", "empty command"),
    ])
    func rejectsBrokenLines(line: String, reason: String) {
        #expect(throws: ScriptError.commandLine(line, reason)) { try ScriptCommand(parsing: line) }
    }

    /// keepalived's `cmd_str`: every word single-quoted, except a leading redirection.
    @Test func shellStringQuotesEveryWord() {
        #expect(ScriptCommand(words: ["/x/notify.sh", "a b", "MASTER"]).shellCommandString
            == "'/x/notify.sh' 'a b' 'MASTER'")
        #expect(ScriptCommand(words: ["</dev/tcp/192.0.2.1/80"]).shellCommandString == "</dev/tcp/192.0.2.1/80")
    }
}
