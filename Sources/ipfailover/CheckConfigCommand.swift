import ArgumentParser
import FailoverConfig

/// `ipfailover check-config FILE`: every problem at once, keepalived `-t` exit codes.
struct CheckConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Check a keepalived.conf; print every problem as file:line:column: error|warning: message.",
        discussion: "Exit status: 0 ok, 3 cannot run, 4 errors that were adjusted, 5 scripts without enable_script_security."
    )

    @Argument(help: "The keepalived.conf to check.")
    var file: String

    func run() throws {
        let result = ConfigLoader.load(path: file)
        for diagnostic in result.diagnostics { print(diagnostic.description) }
        let status = result.status
        if status != .ok { throw ExitCode(status.rawValue) }
    }
}
