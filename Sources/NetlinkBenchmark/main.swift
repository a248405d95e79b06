// VIP add+remove round trip over rtnetlink (AddressManager) versus `ip addr add/del`
// subprocesses, inside a throwaway lab namespace. Needs root. Prints the ratio.
import FailoverLab
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
} catch {
    print("benchmark failed: \(error)")
    await lab.destroy()
    exit(1)
}
await lab.destroy()

extension String {
    /// Two decimals without Foundation.
    init(format2 value: Double) {
        let scaled = (value * 100).rounded()
        let whole = Int(scaled / 100), frac = Int(abs(scaled).truncatingRemainder(dividingBy: 100))
        self = "\(whole)." + (frac < 10 ? "0" : "") + "\(frac)"
    }
}
