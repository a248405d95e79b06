import ArgumentParser
import FailoverConfig
import FailoverRuntime
import LinuxNetworking
import VRRPWire

/// `ipfailover cleanup`: what the removal Job (and `systemctl disable` on a
/// host) runs after the daemon is gone. Releases every VIP of the configuration
/// (env mode from OPENSHIFT_HA_*, else `--config`) — whoever added it, the way
/// the OpenShift image's removal does for keepalived's VIPs — then every address
/// a previous ipfailover run left (our IFA_PROTO tag, or the owned-addresses
/// file), and the VRRP firewall rule if one is configured (`FirewallSetting`).
/// Idempotent: a second run finds nothing and succeeds.
struct CleanupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cleanup",
        abstract: "Release the configuration's VIPs and any left by a previous run; remove the VRRP firewall rule.",
        discussion: """
        Run it only where no ipfailover daemon runs any more: it removes the VIPs whatever their state, \
        so it refuses (exit 3, naming the daemon's pid) while a daemon runs in this network namespace. \
        Exit status 0 when everything is gone (also when nothing was there), 1 when something could not \
        be removed, 3 when the configuration cannot be read or a daemon is running.
        """)

    @Option(name: .long, help: "keepalived.conf whose VIPs to release (ignored in env mode). Default: $KEEPALIVED_CONFIG, else /etc/keepalived/keepalived.conf.")
    var config: String?

    @Flag(name: .long, help: "Read the configuration from OPENSHIFT_HA_* even without OPENSHIFT_HA_VIRTUAL_IPS set.")
    var fromEnv = false

    @Option(name: .long, help: "The owned-addresses file of the daemon ('none': rely on the kernel's IFA_PROTO tag alone).")
    var ownedAddressesFile = AddressManager.defaultStateFilePath

    @Option(name: .long, help: "The node's own address for env mode (default: $IPFAILOVER_NODE_ADDRESS, else detected).")
    var nodeAddress: String?

    @Option(name: .long, help: "The VRRP firewall rule `run --firewall` was given (default: $OPENSHIFT_HA_NFTABLES_RULE or $OPENSHIFT_HA_IPTABLES_CHAIN).")
    var firewall: String?

    func run() async throws {
        let environment = ProcessEnvironment.current()
        // Before any address is removed: a bad firewall value stops cleanup with nothing touched.
        let firewallPlacement = try FirewallSetting.placement(flag: firewall, environment: environment)
        let envMode = fromEnv || EnvironmentMode.isRequested(environment)
        let configuration: Configuration
        if envMode {
            do {
                let text = try EnvironmentMode.render(environment: environment, nodeAddress: nodeAddress, hostname: nil,
                                                      warn: { _ in })
                configuration = KeepalivedConfigParser().parse(text, file: "<OPENSHIFT_HA_* environment>").configuration
            } catch let failure as EnvironmentMode.Failure {
                for line in failure.diagnostics { printError(line) }
                throw ExitCode(CheckConfigStatus.cannotRun.rawValue)
            }
        } else {
            let path = config ?? environment["KEEPALIVED_CONFIG"].flatMap { $0.isEmpty ? nil : $0 } ?? "/etc/keepalived/keepalived.conf"
            let result = ConfigLoader.load(path: path)
            guard result.status != .cannotRun else {
                for d in result.diagnostics where d.severity == .error { printError(d.description) }
                throw ExitCode(CheckConfigStatus.cannotRun.rawValue)
            }
            configuration = result.configuration
        }

        // A live daemon would keep advertising MASTER for the VIPs removed under it.
        let lock: NamespaceLock
        do {
            lock = try NamespaceLock.acquire()
        } catch {
            printError("ipfailover cleanup: \(error); stop it first (nothing was removed)")
            throw ExitCode(CheckConfigStatus.cannotRun.rawValue)
        }
        defer { lock.release() }

        var failures = 0
        let manager = try AddressManager(.init(stateFilePath: ownedAddressesFile == "none" ? nil : ownedAddressesFile))
        for vip in Self.virtualAddresses(configuration) {
            do {
                if try manager.remove(vip) { print("removed \(vip)") }
            } catch LinuxNetworkingError.noSuchInterface {
                continue   // nothing can be on an interface that does not exist
            } catch {
                printError("cannot remove \(vip): \(error)")
                failures += 1
            }
        }
        do {
            for stale in try manager.removeStaleAddresses() { print("removed \(stale) (left by a previous run)") }
        } catch {
            printError("cannot remove addresses left by a previous run: \(error)")
            failures += 1
        }

        if let placement = firewallPlacement {
            for rule in FirewallSetting.rules(for: configuration, placement: placement) {
                do {
                    try await NFTables().remove(rule)
                    print("removed the VRRP firewall rule on \(rule.interface) (\(rule.placement)) if it was there")
                } catch LinuxNetworkingError.firewallCommandFailed(_, let stderr) where stderr.contains("No such file or directory") {
                    // The table or chain does not exist: no rule of ours either.
                } catch {
                    printError("cannot remove the VRRP firewall rule: \(error)")
                    failures += 1
                }
            }
        }
        if failures > 0 { throw ExitCode(1) }
    }

    /// Every VIP of every instance, advertised or excluded, on its interface.
    static func virtualAddresses(_ configuration: Configuration) -> [VirtualAddress] {
        configuration.instances.flatMap { instance in
            (instance.virtualIPAddresses + instance.excludedVirtualIPAddresses).map { vip in
                VirtualAddress(VirtualAddressSpec(address: vip.address, prefixLength: vip.prefixLength,
                                                  interface: vip.device ?? instance.interface,
                                                  label: vip.label, scope: vip.scope))
            }
        }
    }
}
