import VRRPWire

/// Applies `FirewallRule`s with `nft -f -` (a subprocess is fine here: it runs
/// at startup and cleanup, not on the failover path).
public struct NFTables: Sendable {
    /// The `nft` executable (looked up in PATH).
    public var executable: String
    /// Run inside this network namespace (a /run/netns path); nil: the caller's.
    public var namespacePath: String?

    public init(executable: String = "nft", namespacePath: String? = nil) {
        self.executable = executable
        self.namespacePath = namespacePath
    }

    /// Installs (or replaces) the rule set.
    public func install(_ rule: FirewallRule) async throws {
        let handles = try await existingHandles(rule)
        try await apply(rule.installScript(existingHandles: handles))
    }

    /// Removes our rules; a missing table or no tagged rules is not an error.
    public func remove(_ rule: FirewallRule) async throws {
        let handles = try await existingHandles(rule)
        if case .existingChain = rule.placement, handles.isEmpty { return }
        try await apply(rule.removeScript(existingHandles: handles))
    }

    /// Whether our rules are present.
    public func isInstalled(_ rule: FirewallRule) async throws -> Bool {
        switch rule.placement {
        case .ownTable:
            let text = try await listing(rule)
            return !rule.handles(inListing: text).isEmpty
        case .existingChain:
            return !(try await existingHandles(rule)).isEmpty
        }
    }

    private func listing(_ rule: FirewallRule) async throws -> String {
        let arguments: [String] = switch rule.placement {
        case .ownTable(let name): ["-a", "list", "table", "inet", name]
        case let .existingChain(family, table, chain): ["-a", "list", "chain", family, table, chain]
        }
        let out = try await run(arguments, input: "")
        if out.status != 0 {
            // An absent own table simply means nothing is installed.
            if case .ownTable = rule.placement, out.standardError.contains("No such file or directory") { return "" }
            throw LinuxNetworkingError.firewallCommandFailed(status: out.status, stderr: out.standardError)
        }
        return out.standardOutput
    }

    private func existingHandles(_ rule: FirewallRule) async throws -> [Int] {
        rule.handles(inListing: try await listing(rule))
    }

    private func apply(_ script: String) async throws {
        guard !script.isEmpty else { return }
        let out = try await run(["-f", "-"], input: script)
        if out.status != 0 {
            throw LinuxNetworkingError.firewallCommandFailed(status: out.status, stderr: out.standardError + "\nscript:\n" + script)
        }
    }

    private func run(_ arguments: [String], input: String) async throws -> CommandRunner.Output {
        let out: CommandRunner.Output
        do {
            out = try await CommandRunner.run([executable] + arguments, input: input, namespacePath: namespacePath)
        } catch LinuxNetworkingError.systemCall("posix_spawnp", let code, _) {
            throw LinuxNetworkingError.firewallUnavailable(
                reason: "cannot run \(executable) (\(LinuxNetworkingError.text(code))): install the nftables package, "
                    + "or turn the firewall rule off (OPENSHIFT_HA_NFTABLES_RULE empty)")
        }
        let err = out.standardError
        if out.status != 0, err.contains("Operation not permitted") {
            throw LinuxNetworkingError.firewallUnavailable(reason: "nft needs CAP_NET_ADMIN (run as root or grant the capability): \(err)")
        }
        if out.status != 0, err.contains("Protocol not supported") {
            throw LinuxNetworkingError.firewallUnavailable(reason: "the kernel has no nf_tables support (load nf_tables): \(err)")
        }
        return out
    }
}
