import Foundation
import FailoverConfig
import VRRPWire

/// Shared helpers for the FailoverConfig tests.
enum TestSupport {
    /// Tests/FailoverConfigTests/Fixtures, found from this source file.
    static let fixtures: String = {
        let here = #filePath
        return String(here[..<here.lastIndex(of: "/")!]) + "/Fixtures"
    }()

    static var isCI: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }
    static var isRoot: Bool { getuid() == 0 }

    /// Parses in-memory text with optional include files.
    static func parse(_ text: String, file: String = "/etc/keepalived/keepalived.conf",
                      includes: [String: String] = [:]) -> KeepalivedConfigParser.Result {
        KeepalivedConfigParser(source: InMemoryConfigSource(includes)).parse(text, file: file)
    }

    /// Runs a program (no shell) and returns its exit status and combined output.
    @discardableResult
    static func run(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: arguments[0])
        process.arguments = Array(arguments.dropFirst())
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// The first of `candidates` that exists and is executable.
    static func tool(_ candidates: String...) -> String? {
        candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// keepalived's own binary (Debian package keepalived) and iproute2's ip, when installed.
    static let keepalived = tool("/usr/sbin/keepalived", "/sbin/keepalived")
    static let ip = tool("/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip")

    /// Whether `keepalived -t` can be run as a judge here; in CI it must.
    static var canRunKeepalived: Bool { isCI || (isRoot && keepalived != nil && ip != nil) }

    /// Runs `body` with a function that runs `keepalived -t -l [extra…] -f FILE` inside
    /// a fresh network namespace with an `eth0` (MTU 1500, address 192.0.2.11/24):
    /// keepalived warns about interfaces that do not exist. The namespace is deleted afterwards.
    static func withKeepalived<T>(_ body: (_ check: (_ file: String, _ extra: [String]) throws -> (status: Int32, output: String)) throws -> T) throws -> T {
        guard keepalived != nil, ip != nil else { throw NoJudge(reason: "keepalived or iproute2 is not installed") }
        guard isRoot else { throw NoJudge(reason: "keepalived -t in a network namespace needs root") }
        let judge = try TestNamespace(interfaces: ["eth0"])
        defer { judge.close() }
        return try body { file, extra in try judge.check(file, extra) }
    }

    /// keepalived -t cannot be run here.
    struct NoJudge: Error, CustomStringConvertible {
        var reason: String
        var description: String { reason }
    }
}
