import Foundation
import Testing
import FailoverConfig

/// What reading a configuration may cost: only regular files are read (a FIFO would
/// block, /dev/zero never ends), every file and the whole include tree are bounded in
/// bytes, and lexing is linear in the input however long a line is.
@Suite("Configuration input is bounded", .serialized)
struct ConfigInputTests {
    static let instance = "vrrp_instance a {\n interface eth0\n virtual_router_id 1\n virtual_ipaddress {\n  198.51.100.1\n }\n}\n"

    func temporaryDirectory() throws -> String {
        let directory = NSTemporaryDirectory() + "ipf-input-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return directory
    }

    /// Runs `check-config` with a deadline and an address-space cap, so that a reader
    /// that blocks or grows without bound fails the test instead of hanging the machine.
    func checkConfig(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let binary = try #require(CommandLineTests.binary, "ipfailover binary not found next to the test bundle")
        let command = "ulimit -v 4000000; exec timeout 60 \"$0\" check-config \"$@\""
        return try TestSupport.run(["/bin/sh", "-c", command, binary] + arguments)
    }

    @Test("check-config on a FIFO, /dev/zero or a directory: an error naming the path, exit 3, no hang",
          .enabled(if: CommandLineTests.canRun, "the ipfailover binary was not built next to the tests"))
    func mainFileMustBeRegular() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let fifo = "\(directory)/fifo.conf"
        #expect(mkfifo(fifo, 0o600) == 0)
        let cases = [
            (fifo, "it is a FIFO, not a regular file"),
            ("/dev/zero", "it is a character device, not a regular file"),
            (directory, "it is a directory, not a regular file"),
        ]
        for (path, reason) in cases {
            let result = try checkConfig([path])
            #expect(result.status == 3, "\(path): \(result.output)")
            #expect(result.output == "\(path): error: cannot read configuration file: \(reason)\n")
        }
    }

    @Test("keepalived -t skips a FIFO or /dev/zero given as the main file and exits 0 (ipfailover: error, exit 3)",
          .enabled(if: TestSupport.canRunKeepalived,
                   "needs root, keepalived and iproute2 (runs in a network namespace); set CI=true to require it"))
    func keepalivedSkipsNonRegularMainFile() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let fifo = "\(directory)/fifo.conf"
        #expect(mkfifo(fifo, 0o600) == 0)
        try TestSupport.withKeepalived { check in
            for path in [fifo, "/dev/zero"] {
                let result = try check(path, [])
                #expect(result.status == 0, "\(result.output)")
                #expect(result.output.contains("is not a regular non-executable file - skipping"), "\(result.output)")
            }
        }
    }

    @Test("An include of a FIFO, a device or a directory is skipped with a warning, as keepalived does")
    func includedFileMustBeRegular() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createDirectory(atPath: "\(directory)/conf.d/sub.conf", withIntermediateDirectories: true)
        #expect(mkfifo("\(directory)/conf.d/fifo.conf", 0o600) == 0)
        try Self.instance.write(toFile: "\(directory)/conf.d/real.conf", atomically: true, encoding: .utf8)
        let main = "\(directory)/keepalived.conf"
        try "include conf.d/*.conf\ninclude /dev/zero\n".write(toFile: main, atomically: true, encoding: .utf8)
        let result = ConfigLoader.load(path: main, configID: "n")
        #expect(result.configuration.instances.map(\.name) == ["a"])
        #expect(result.diagnostics.map(\.description) == [
            "\(main):1:9: warning: included '\(directory)/conf.d/fifo.conf' is skipped: it is a FIFO, not a regular file",
            "\(main):1:9: warning: included '\(directory)/conf.d/sub.conf' is skipped: it is a directory, not a regular file",
            "\(main):2:9: warning: included '/dev/zero' is skipped: it is a character device, not a regular file",
        ])
        #expect(result.status == .adjusted)
    }

    @Test("A file over the per-file limit is refused with its size, not read")
    func perFileLimit() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let big = "\(directory)/big.conf"
        #expect(FileManager.default.createFile(atPath: big, contents: nil))
        #expect(truncate(big, off_t(FileConfigSource.maximumFileBytes + 1)) == 0)
        let result = ConfigLoader.load(path: big, configID: "n")
        #expect(result.diagnostics.map(\.description) == [
            "\(big): error: cannot read configuration file: it is \(FileConfigSource.maximumFileBytes + 1) bytes; "
                + "at most \(FileConfigSource.maximumFileBytes) bytes are read from one configuration file",
        ])
    }

    @Test("Symbolic links that include one file many times stop at the total byte limit, with an error at the include")
    func includeAmplificationIsBounded() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // 3 MiB of comment lines: cheap to lex, large to read.
        let line = "# " + String(repeating: "x", count: 1021) + "\n"
        let chunk = String(repeating: line, count: 3 * 1024)
        try chunk.write(toFile: "\(directory)/big.txt", atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: "\(directory)/links", withIntermediateDirectories: true)
        for n in 1...8 {
            #expect(symlink("\(directory)/big.txt", "\(directory)/links/\(n).conf") == 0)
        }
        let main = "\(directory)/keepalived.conf"
        try ("include links/*.conf\n" + Self.instance).write(toFile: main, atomically: true, encoding: .utf8)
        let result = ConfigLoader.load(path: main, configID: "n")
        // 5 × 3 MiB fit in 16 MiB; the sixth would not.
        #expect(result.diagnostics.map(\.description) == [
            "\(main):1:9: error: included '\(directory)/links/6.conf' is not read: with it the configuration and its "
                + "includes would exceed \(SyntaxParser.maximumTotalBytes) bytes in all",
        ])
        #expect(result.status == .cannotRun)
        // The same bound holds for in-memory sources.
        let files = Dictionary(uniqueKeysWithValues: (1...8).map { ("/k/links/\($0).conf", chunk) })
        let memory = KeepalivedConfigParser(source: InMemoryConfigSource(files)).parse("include links/*.conf\n", file: "/k/main.conf")
        #expect(memory.diagnostics.map(\.description) == [
            "/k/main.conf:1:9: error: included '/k/links/6.conf' is not read: with it the configuration and its "
                + "includes would exceed \(SyntaxParser.maximumTotalBytes) bytes in all",
        ])
    }

    @Test("More than a million words and braces in all stop at the limit with an error, across includes")
    func tokenCountIsBounded() {
        // 600,000 words in each of two files: the second stops 400,000 words in, and
        // nothing after it is read (one error, not one per later file).
        let words = String(repeating: "a ", count: 300_000) + "\n"
        let file = words + words
        let files = ["/k/b.conf": file, "/k/c.conf": file, "/k/d.conf": file]
        let result = KeepalivedConfigParser(source: InMemoryConfigSource(files))
            .parse("include [bcd].conf\ninclude b.conf\n", file: "/k/main.conf")
        let errors = result.diagnostics.filter { $0.category == .cannotRun }.map(\.description)
        #expect(errors == ["/k/c.conf:2:\(2 * 99_996 + 1): error: more than \(SyntaxParser.maximumTotalTokens) words "
            + "and braces in the configuration; the rest is not read"])
    }

    /// Runs `work` on another thread and waits at most `seconds` for it: a quadratic
    /// lexer fails this test instead of running for hours.
    func finishes<T: Sendable>(within seconds: Double, _ work: @escaping @Sendable () -> T) -> T? {
        let done = DispatchSemaphore(value: 0)
        let box = ResultBox<T>()
        DispatchQueue.global().async {
            box.value = work()
            done.signal()
        }
        guard done.wait(timeout: .now() + seconds) == .success else { return nil }
        return box.value
    }

    final class ResultBox<T>: @unchecked Sendable {
        var value: T?
    }

    @Test("A 4 MB single line of words lexes in linear time, with exact columns")
    func longLineIsLinear() throws {
        // 2 million one-letter words: recounting the column from the line start for each
        // word costs ~4·10^12 steps; carrying it forward, ~4·10^6.
        let words = 2_000_000
        let text = String(repeating: "a ", count: words)
        let lexed = finishes(within: 120) { Lexer().tokenize(text, file: "long") }
        let (lines, diagnostics) = try #require(lexed, "lexing a 4 MB line did not finish within 120 s")
        #expect(diagnostics.isEmpty)
        #expect(lines.count == 1)
        #expect(lines.first?.tokens.count == words)
        #expect(lines.first?.tokens.last?.location == SourceLocation(file: "long", line: 1, column: 2 * words - 1))
    }

    @Test("A 1 MB line inside a block goes through the whole parser in linear time")
    func longLineThroughParser() throws {
        let words = 500_000
        let text = "global_defs {\n router_id " + String(repeating: "a ", count: words) + "\n}\n"
        let parsed = finishes(within: 120) { KeepalivedConfigParser().parse(text, file: "long") }
        let result = try #require(parsed, "parsing a 1 MB line did not finish within 120 s")
        #expect(result.configuration.globalDefinitions.routerID == "a")
        #expect(result.diagnostics.map(\.description) == ["long:2:14: warning: extra words after 'router_id a' ignored"])
    }
}

/// keepalived's conditional lines: `@ID …` applies when the configuration id is ID,
/// `@^ID …` when it is not; the id defaults to the host name up to its first dot.
@Suite("Conditional @id lines")
struct ConditionalLineTests {
    @Test("@id lines apply on the host whose config id matches; @^id lines on every other host")
    func conditionalLinesFollowConfigID() {
        let text = "@high a\n@^high b\n@low c\n@^low d\ne\n"
        func names(_ id: String?) -> [String] {
            SyntaxParser(configID: id).parse(text, file: "f").statements.map(\.name)
        }
        #expect(names("high") == ["a", "d", "e"])
        #expect(names("low") == ["b", "c", "e"])
        #expect(names("other") == ["b", "d", "e"])
        #expect(names(nil) == ["b", "d", "e"])
    }

    @Test("The config id defaults to the host name up to its first dot; IPFAILOVER_CONFIG_ID overrides it")
    func configIDDefault() {
        #expect(ConfigLoader.defaultConfigID(environment: ["IPFAILOVER_HOSTNAME": "node1.example.com"]) == "node1")
        #expect(ConfigLoader.defaultConfigID(environment: ["IPFAILOVER_HOSTNAME": "node1.example.com",
                                                           "IPFAILOVER_CONFIG_ID": "blue.1"]) == "blue.1")
        let system = SystemNodeIdentity.hostname()
        #expect(ConfigLoader.defaultConfigID(environment: [:]) == String(system.prefix { $0 != "." }))
    }

    @Test("check-config applies @id lines for the host name, --hostname or --config-id",
          .enabled(if: CommandLineTests.canRun, "the ipfailover binary was not built next to the tests"))
    func checkConfigUsesConfigID() throws {
        let binary = try #require(CommandLineTests.binary, "ipfailover binary not found next to the test bundle")
        let directory = NSTemporaryDirectory() + "ipf-atid-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = "\(directory)/k.conf"
        try "vrrp_instance a {\n interface eth0\n virtual_router_id 1\n@node1 priority 300\n@^node1 priority 0\n virtual_ipaddress {\n  198.51.100.1\n }\n}\n"
            .write(toFile: path, atomically: true, encoding: .utf8)
        let env = "/usr/bin/env"
        let onNode1 = try TestSupport.run([env, "-i", "IPFAILOVER_HOSTNAME=node1.example.com", binary, "check-config", path])
        #expect(onNode1.output.contains("got '300'"), "\(onNode1.output)")
        let elsewhere = try TestSupport.run([env, "-i", "IPFAILOVER_HOSTNAME=node2", binary, "check-config", path])
        #expect(elsewhere.output.contains("got '0'"), "\(elsewhere.output)")
        let flag = try TestSupport.run([env, "-i", "IPFAILOVER_HOSTNAME=node2", binary, "check-config", "--config-id", "node1", path])
        #expect(flag.output.contains("got '300'"), "\(flag.output)")
        let hostname = try TestSupport.run([env, "-i", binary, "check-config", "--hostname", "node1", path])
        #expect(hostname.output.contains("got '300'"), "\(hostname.output)")
    }
}
