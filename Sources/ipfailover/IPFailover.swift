import ArgumentParser
import FailoverRuntime

/// The `ipfailover` command line: argument parsing and wiring only. Started from
/// main.swift.
struct IPFailover: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ipfailover",
        abstract: "IP failover with VRRP (keepalived-compatible).",
        version: BuildInfo.version,
        subcommands: [RunCommand.self, StatusCommand.self, CleanupCommand.self, DemoCommand.self, LabGroupCommand.self, RenderCommand.self,
                      CheckConfigCommand.self, ConfigCommand.self, TimelineCommand.self]
    )
}
