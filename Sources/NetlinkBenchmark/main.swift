// VIP add+remove round trip over rtnetlink (AddressManager) versus `ip addr add/del`
// subprocesses, inside a throwaway lab namespace. Needs root. Prints the ratio.
import FailoverLab
import FailoverRuntime
import Glibc
import LinuxNetworking
import VRRPWire

let netlinkRounds = 5000
let subprocessRounds = 200

func microseconds(_ d: Duration) -> Double {
    let (s, atto) = d.components
    return Double(s) * 1e6 + Double(atto) / 1e12
}

guard LabRequirements.missing(["ip"]).isEmpty else {
    print("NetlinkBenchmark needs: \(LabRequirements.missing(["ip"]).joined(separator: ", "))")
    exit(2)
}

let lab = try await Lab.create(nodes: ["a"])
do {
    let node = lab.node("a")
    let addresses = try await lab.inNamespace(node.namespace) { try AddressManager(.init(stateFilePath: nil)) }
    let vip = VirtualAddress(IPAddress("198.51.100.99")!, interface: node.interface)
    let vip6 = VirtualAddress(IPAddress("2001:db8:100::99")!, interface: node.interface)

    // Warm up both paths once.
    try addresses.add(vip); try addresses.remove(vip)

    let clock = ContinuousClock()
    let netlink4 = try clock.measure {
        for _ in 0..<netlinkRounds { try addresses.add(vip); try addresses.remove(vip) }
    }
    let netlink6 = try clock.measure {
        for _ in 0..<netlinkRounds { try addresses.add(vip6); try addresses.remove(vip6) }
    }
    let subprocess = try await clock.measure {
        for _ in 0..<subprocessRounds {
            try await LabCommand.run(["ip", "-n", node.namespace, "addr", "add", "198.51.100.99/32", "dev", node.interface])
            try await LabCommand.run(["ip", "-n", node.namespace, "addr", "del", "198.51.100.99/32", "dev", node.interface])
        }
    }
    let n4 = microseconds(netlink4) / Double(netlinkRounds)
    let n6 = microseconds(netlink6) / Double(netlinkRounds)
    let sp = microseconds(subprocess) / Double(subprocessRounds)
    print("VIP add+remove round trip (\(netlinkRounds) netlink rounds, \(subprocessRounds) subprocess rounds):")
    print("  rtnetlink IPv4      \(String(format2: n4)) µs")
    print("  rtnetlink IPv6      \(String(format2: n6)) µs (IFA_F_NODAD)")
    print("  `ip addr` x2 spawn  \(String(format2: sp)) µs")
    print("  ratio subprocess/netlink (IPv4): \(String(format2: sp / n4))x")
    try await manyAddresses(lab: lab, node: node)
} catch {
    print("benchmark failed: \(error)")
    await lab.destroy()
    exit(1)
}
await lab.destroy()

/// A MASTER of one instance with 1,000 VIPs: adding them through the runtime's port
/// (with the owned-address file in the lab directory, as the daemon keeps it), the
/// first announcement burst, and removing them again.
func manyAddresses(lab: Lab, node: Lab.Node) async throws {
    let count = 1000
    let specs = [VirtualAddressSpec(address: IPAddress("198.51.100.1")!, interface: node.interface)]
        + (1..<count).map { VirtualAddressSpec(address: IPAddress("2001:db8:100::\(String($0, radix: 16))")!, interface: node.interface) }
    let file = lab.directory + "/owned-addresses"
    let (withFile, withoutFile, announcer) = try await lab.inNamespace(node.namespace) {
        (LinuxVirtualAddresses(manager: try AddressManager(.init(stateFilePath: file))),
         LinuxVirtualAddresses(manager: try AddressManager(.init(stateFilePath: nil))),
         try NeighborAnnouncer(interface: node.interface))
    }
    let clock = ContinuousClock()
    func ms(_ d: Duration) -> String { String(format2: microseconds(d) / 1000) }
    for (label, port) in [("state file", withFile), ("no state file", withoutFile)] {
        let add = try clock.measure { for spec in specs { try port.add(spec) } }
        let remove = try clock.measure { for spec in specs { try port.remove(spec) } }
        print("\(count) VIPs one by one through the port (\(label)): add \(ms(add)) ms, remove \(ms(remove)) ms")
        let batchAdd = clock.measure { _ = port.add(contentsOf: specs) }
        // Announced while the interface holds all 1,000, as a new MASTER does.
        let burst = try clock.measure { try announcer.announce(specs.map(\.address)) }
        let batchRemove = clock.measure { _ = port.remove(contentsOf: specs) }
        print("\(count) VIPs as one batch through the port (\(label)): add \(ms(batchAdd)) ms, remove \(ms(batchRemove)) ms")
        print("one announcement round for the \(count) VIPs on the interface (1 GARP + \(count - 1) NA): \(ms(burst)) ms")
    }
}

extension String {
    /// Two decimals without Foundation.
    init(format2 value: Double) {
        let scaled = (value * 100).rounded()
        let whole = Int(scaled / 100), frac = Int(abs(scaled).truncatingRemainder(dividingBy: 100))
        self = "\(whole)." + (frac < 10 ? "0" : "") + "\(frac)"
    }
}
