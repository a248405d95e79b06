import Foundation
import Testing
@testable import FailoverConfig

@Suite("keepalived.conf lexer and syntax tree")
struct SyntaxParserTests {
    func tree(_ text: String, includes: [String: String] = [:]) -> ([Statement], [Diagnostic]) {
        SyntaxParser(source: InMemoryConfigSource(includes)).parse(text, file: "/k/main.conf")
    }

    @Test("Comments with # and ! are dropped, quotes group words, braces split from words")
    func commentsQuotesBraces() {
        let (lines, problems) = Lexer().tokenize("""
            ! header comment
            vrrp_script chk{   # trailing comment
              script "/bin/bash -c '</dev/tcp/1.2.3.4/80'"   ! another
            }
            """, file: "f")
        #expect(problems.isEmpty)
        #expect(lines.map { $0.tokens.map(\.text) } == [
            ["vrrp_script", "chk", "{"],
            ["script", "/bin/bash -c '</dev/tcp/1.2.3.4/80'"],
            ["}"],
        ])
        #expect(lines[1].tokens[1].isQuoted)
        #expect(lines[1].tokens[1].location == SourceLocation(file: "f", line: 3, column: 10))
    }

    @Test("Columns count characters, not UTF-8 bytes; CRLF line ends are whitespace")
    func columnsInCharacters() {
        let (lines, _) = Lexer().tokenize("router_id é x\r\nnext", file: "f")
        #expect(lines[0].tokens.map(\.text) == ["router_id", "é", "x"])
        #expect(lines[0].tokens[2].location.column == 13)
        #expect(lines[1].tokens[0].location == SourceLocation(file: "f", line: 2, column: 1))
    }

    @Test("A comment character inside a word ends the line, as keepalived reads it; inside quotes it is text")
    func commentInsideWord() {
        let (lines, _) = Lexer().tokenize("priority 100#x\nauth_pass ab!cd }\nscript \"a#b!c\"", file: "f")
        #expect(lines.map { $0.tokens.map(\.text) } == [["priority", "100"], ["auth_pass", "ab"], ["script", "a#b!c"]])
    }

    @Test("An unterminated quote is reported at the quote and runs to the end of the line")
    func unterminatedQuote() {
        let (lines, problems) = Lexer().tokenize("notify \"/bin/x arg", file: "f")
        #expect(lines[0].tokens.map(\.text) == ["notify", "/bin/x arg"])
        #expect(problems.map(\.description) == ["f:1:8: warning: unterminated quoted string; it runs to the end of the line"])
    }

    @Test("A brace on the next line opens the previous keyword's block; '}' may close inline")
    func braceStyles() {
        let (statements, problems) = tree("""
            vrrp_instance VI_1
            {
                interface eth0
                track_script { chk_a chk_b }
                virtual_ipaddress
                  {
                    198.51.100.1
                  }
                authentication { auth_type PASS
                    auth_pass x }
            }
            """)
        #expect(problems.isEmpty)
        #expect(statements.count == 1)
        let block = statements[0].block ?? []
        #expect(block.map(\.name) == ["interface", "track_script", "virtual_ipaddress", "authentication"])
        #expect(block[1].block?.map(\.name) == ["chk_a"])
        #expect(block[1].block?.first?.arguments.map(\.text) == ["chk_b"])
        #expect(block[2].block?.map(\.name) == ["198.51.100.1"])
        #expect(block[3].block?.map(\.name) == ["auth_type", "auth_pass"])
    }

    @Test("Unbalanced braces are reported with their locations and parsing continues")
    func unbalanced() {
        let (statements, problems) = tree("""
            global_defs {
              router_id a
            }
            }
            vrrp_instance X {
              interface eth0
            """)
        #expect(statements.map(\.name) == ["global_defs", "vrrp_instance"])
        #expect(problems.map(\.description) == [
            "/k/main.conf:4:1: error: '}' without a matching '{'",
            "/k/main.conf:5:17: error: missing '}' for the block of 'vrrp_instance' opened here",
        ])
    }

    @Test("include expands a glob relative to the including file, at any depth, in sorted order")
    func includeGlob() {
        let (statements, problems) = tree("""
            include conf.d/*.conf
            vrrp_instance A {
              include /abs/inner.conf
            }
            """, includes: [
                "/k/conf.d/b.conf": "vrrp_script b {\n script /bin/b\n}",
                "/k/conf.d/a.conf": "vrrp_script a {\n script /bin/a\n}",
                "/k/conf.d/skip.txt": "bogus",
                "/abs/inner.conf": "interface eth7",
            ])
        #expect(problems.isEmpty)
        #expect(statements.map { $0.arguments.first?.text ?? "" } == ["a", "b", "A"])
        #expect(statements[0].location.file == "/k/conf.d/a.conf")
        #expect(statements[2].block?.first?.location == SourceLocation(file: "/abs/inner.conf", line: 1, column: 1))
    }

    @Test("An include that matches nothing warns; an include cycle is an error, not a hang")
    func includeProblems() {
        let (_, problems) = tree("include none*.conf\ninclude loop.conf", includes: [
            "/k/loop.conf": "include main.conf",
            "/k/main.conf": "include loop.conf",
        ])
        #expect(problems.map(\.description) == [
            "/k/main.conf:1:9: warning: include 'none*.conf' matched no file",
            "/k/loop.conf:1:9: error: include cycle: '/k/main.conf' includes itself",
        ])
    }

    @Test("Blocks nested deeper than 64 levels are an error and ignored, not a stack overflow")
    func deepNestingIsRefused() {
        let n = 100_000
        let text = String(repeating: "a {\n", count: n) + String(repeating: "}\n", count: n) + "router_id after\n"
        let (statements, problems) = tree(text)
        #expect(problems.map(\.description) == [
            "/k/main.conf:\(SyntaxParser.maximumBlockDepth + 1):3: error: blocks nested deeper than 64 levels; this block is ignored",
        ])
        #expect(statements.map(\.name) == ["a", "router_id"])
        var depth = 0, level = statements.first
        while let block = level?.block { depth += 1; level = block.first }
        #expect(depth == SyntaxParser.maximumBlockDepth)
    }

    @Test("Include fan-out stops at 1,024 files in all; one file spelled two ways is an include cycle")
    func includeExplosionIsBounded() {
        // Level k has two files, each including both files of level k+1: 2^12 expansions.
        var files: [String: String] = [:]
        for level in 0..<12 {
            for i in 0..<2 { files["/k/l\(level)-\(i).conf"] = level == 11 ? "router_id x" : "include l\(level + 1)-*.conf" }
        }
        let (_, problems) = tree("include l0-*.conf", includes: files)
        #expect(problems.contains { $0.description.contains("more than 1024 included files in all") }, "\(problems)")
        #expect(problems.count < 20)
        #expect(SyntaxParser.normalized("/etc/keepalived/./b.conf") == "/etc/keepalived/b.conf")
        #expect(SyntaxParser.normalized("/etc/keepalived/conf.d/../b.conf") == "/etc/keepalived/b.conf")
        #expect(SyntaxParser.normalized("//etc//keepalived/b.conf") == "/etc/keepalived/b.conf")
    }

    @Test("Conditional @id lines are skipped without a config id; @^id lines are kept")
    func conditionalLines() {
        let (statements, _) = tree("@high router_a\n@^high router_b\nrouter_c")
        #expect(statements.map(\.name) == ["router_b", "router_c"])
    }

    @Test("glob(3)-style patterns: * and ? stay within one path component, [] classes")
    func globPattern() {
        #expect(GlobPattern("/a/*.conf").matches("/a/x.conf"))
        #expect(!GlobPattern("/a/*.conf").matches("/a/b/x.conf"))
        #expect(GlobPattern("/a/v?.conf").matches("/a/v1.conf"))
        #expect(GlobPattern("/a/[0-9]*").matches("/a/10-x"))
        #expect(!GlobPattern("/a/[!0-9]*").matches("/a/10-x"))
    }

    @Test("An include pattern of many stars is matched in time bounded by pattern × name, not exponential",
          .timeLimit(.minutes(1)))
    func manyStarPatternMatchesInBoundedTime() {
        let stars = String(repeating: "*", count: 75)
        #expect(GlobPattern("/etc/keepalived/includ\(stars)ed.conf").matches("/etc/keepalived/included.conf"))
        #expect(!GlobPattern("/etc/keepalived/includ\(stars)ed.conf").matches("/etc/keepalived/included.cfg"))
        let separated = String(repeating: "*i", count: 40) + "*x"
        #expect(!GlobPattern("/etc/keepalived/" + separated).matches("/etc/keepalived/" + String(repeating: "i", count: 60)))
        #expect(GlobPattern("/etc/keepalived/" + separated).matches("/etc/keepalived/" + String(repeating: "i", count: 60) + "x"))
        // Through the parser, as a keepalived.conf include line reaches it.
        let source = InMemoryConfigSource(["/etc/keepalived/included.conf": "vrrp_script chk {\n script /bin/true\n}\n"])
        let (statements, _) = SyntaxParser(source: source)
            .parse("include /etc/keepalived/includ\(stars)ed.conf\n", file: "/etc/keepalived/keepalived.conf")
        #expect(statements.map(\.name) == ["vrrp_script"])
    }
}

@Suite("File-system config source")
struct FileConfigSourceTests {
    @Test("include globs real files relative to the including file; diagnostics name the included file")
    func includeFromDisk() throws {
        let directory = NSTemporaryDirectory() + "ipf-inc-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: directory + "/conf.d", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try "include conf.d/*.conf\n".write(toFile: directory + "/keepalived.conf", atomically: true, encoding: .utf8)
        try "vrrp_instance b {\n interface eth0\n virtual_router_id 2\n virtual_ipaddress {\n  198.51.100.2\n }\n}\n"
            .write(toFile: directory + "/conf.d/20-b.conf", atomically: true, encoding: .utf8)
        try "vrrp_instance a {\n interface eth0\n virtual_router_id 1\n bogus\n virtual_ipaddress {\n  198.51.100.1\n }\n}\n"
            .write(toFile: directory + "/conf.d/10-a.conf", atomically: true, encoding: .utf8)
        let result = ConfigLoader.load(path: directory + "/keepalived.conf")
        #expect(result.configuration.instances.map(\.name) == ["a", "b"])
        #expect(result.diagnostics.map(\.description) == [
            "\(directory)/conf.d/10-a.conf:4:2: warning: unknown keyword 'bogus' in vrrp_instance; ignored",
        ])
    }
}
