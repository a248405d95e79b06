import ArgumentParser
import FailoverConfig
import FailoverRuntime
import FoundationEssentials
import LinuxNetworking
import VRRPWire

/// `ipfailover config [FILE]`: the configuration `run` would run, every default
/// resolved (as `keepalived -d` dumps it), loaded as `check-config` loads it and
/// resolved for this node as the daemon resolves it.
struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Print the effective configuration: every instance with its defaults resolved.",
        discussion: "Diagnostics go to standard error; a configuration that cannot run exits 3 as check-config does."
    )

    @OptionGroup var source: RunConfigurationOptions

    @Flag(name: .long, help: "Print JSON (keys are the property names) instead of text.")
    var json = false

    func run() throws {
        let loaded = try source.load(environment: ProcessEnvironment.current())
        for diagnostic in loaded.diagnostics { printError(diagnostic.description) }
        guard let configuration = loaded.configuration, CheckConfigStatus(loaded.diagnostics) != .cannotRun else {
            throw ExitCode(CheckConfigStatus.cannotRun.rawValue)
        }
        let effective = Self.effective(configuration)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(effective), as: UTF8.self))
        } else {
            print(effective.text, terminator: "")
        }
    }

    /// Resolved with the daemon's own source-address choice; an instance whose
    /// interface has no address here is still shown, with no source address.
    static func effective(_ configuration: Configuration) -> EffectiveConfiguration {
        let manager = try? AddressManager(.init(stateFilePath: nil))
        let vips = Set(configuration.instances.flatMap { $0.virtualIPAddresses.map(\.address) })
        var unresolved: Set<String> = []
        let resolved = RuntimePlan.resolve(configuration) { interface, family in
            if let manager, let address = NodeService.primaryAddress(interface: interface, family: family,
                                                                     excluding: vips, manager: manager) {
                return address
            }
            for instance in configuration.instances where instance.interface == interface && instance.addressFamily == family
                && instance.unicastSourceIP == nil && instance.multicastSourceIP == nil {
                unresolved.insert(instance.name)
            }
            return family == .ipv4 ? IPAddress("0.0.0.0")! : IPAddress("::")!
        }
        // Resolving fails only for a missing source address, which the placeholder rules out.
        let plan = (try? resolved.get()) ?? RuntimePlan(instances: [])
        return EffectiveConfiguration(plan: plan, globals: configuration.globalDefinitions, unresolvedSources: unresolved)
    }
}
