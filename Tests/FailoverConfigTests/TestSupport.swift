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
}
