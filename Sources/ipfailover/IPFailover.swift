import ArgumentParser

/// The `ipfailover` command line: argument parsing and wiring only.
@main
struct IPFailover: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ipfailover",
        abstract: "IP failover with VRRP (keepalived-compatible).",
        subcommands: [RenderCommand.self, CheckConfigCommand.self]
    )
}
