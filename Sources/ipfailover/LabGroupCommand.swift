import ArgumentParser

/// `ipfailover lab …`: tools that run whole clusters in throwaway network namespaces.
struct LabGroupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lab",
        abstract: "Run clusters in throwaway network namespaces (root, iproute2).",
        subcommands: [SoakCommand.self])
}
