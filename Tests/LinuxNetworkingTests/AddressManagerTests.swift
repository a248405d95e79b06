import FailoverLab
import Foundation
import LinuxNetworking
import Testing
import VRRPWire

/// `ip -j addr show dev <interface>` inside a namespace, as (address, prefix, label) triples.
func ipAddresses(_ lab: Lab, _ node: Lab.Node, interface: String? = nil) async throws -> [(address: String, prefix: Int, label: String?)] {
    let result = try await lab.run(in: node.namespace, ["ip", "-j", "addr", "show", "dev", interface ?? node.interface])
    let json = try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [[String: Any]] ?? []
    return json.flatMap { link in
        (link["addr_info"] as? [[String: Any]] ?? []).compactMap { info in
            guard let local = info["local"] as? String, let prefix = info["prefixlen"] as? Int else { return nil }
            return (IPAddress(local)?.description ?? local, prefix, info["label"] as? String)
        }
    }
}

// Needs root and iproute2; skipped with this reason outside CI, fails loudly in CI.
@Suite("AddressManager over rtnetlink", requiresLab(baseLabTools))
struct AddressManagerTests {
    init() throws { try LabRequirements.require(baseLabTools) }

    static let vip4 = IPAddress("198.51.100.10")!
    static let vip6 = IPAddress("2001:db8:100::10")!

    func manager(_ lab: Lab, _ node: Lab.Node, tag: UInt8 = AddressManager.defaultProtocolTag,
                 support: AddressManager.ProtocolTagSupport = .detect) async throws -> AddressManager {
        let path = lab.directory + "/owned-addresses"
        return try await lab.inNamespace(node.namespace) {
            try AddressManager(.init(protocolTag: tag, stateFilePath: path, protocolTagSupport: support))
        }
    }

    @Test("VIPs added and removed over netlink are visible in `ip -j addr`, with label and prefix")
    func addAndRemoveAreVisibleToIproute2() async throws {
        try await Lab.with(nodes: ["a"]) { lab in
            let a = lab.node("a")
            let addresses = try await manager(lab, a)
            let v4 = VirtualAddress(Self.vip4, prefixLength: 24, interface: "eth0", label: "eth0:vip")
            let v6 = VirtualAddress(Self.vip6, interface: "eth0")
            #expect(try addresses.add(v4) == .added)
            #expect(try addresses.add(v6) == .added)
            #expect(try addresses.add(v4) == .alreadyPresent)

            let shown = try await ipAddresses(lab, a)
            #expect(shown.contains { $0.address == "198.51.100.10" && $0.prefix == 24 && $0.label == "eth0:vip" })
            #expect(shown.contains { $0.address == "2001:db8:100::10" && $0.prefix == 128 })

            let listed = try addresses.addresses(interface: "eth0")
            let ours = listed.filter { $0.protocolTag == AddressManager.defaultProtocolTag }.map(\.address)
            #expect(Set(ours) == [Self.vip4, Self.vip6])
            let v6Entry = listed.first { $0.address == Self.vip6 }
            #expect(v6Entry.map { $0.flags & 0x02 != 0 } == true, "IPv6 VIPs carry IFA_F_NODAD")
            #expect(v6Entry.map { $0.flags & 0x40 == 0 } == true, "and are never tentative")

            #expect(try addresses.remove(v4))
            #expect(try addresses.remove(v6))
            #expect(try !addresses.remove(v6), "removing an absent VIP reports false")
            let after = try await ipAddresses(lab, a)
            #expect(!after.contains { $0.address == "198.51.100.10" || $0.address == "2001:db8:100::10" })
            #expect(after.contains { $0.address == a.ipv4.description }, "the node address is untouched")
        }
    }

    @Test("A restart removes exactly the VIPs a previous run left behind")
    func staleAddressCleanupRemovesExactlyOurs() async throws {
        try await Lab.with(nodes: ["a"]) { lab in
            let a = lab.node("a")
            let crashed = try await manager(lab, a)
            try crashed.add(VirtualAddress(Self.vip4, interface: "eth0", label: "eth0:vip"))
            try crashed.add(VirtualAddress(Self.vip6, interface: "eth0"))
            try crashed.add(VirtualAddress(IPAddress("198.51.100.11")!, interface: "lo"))
            // Foreign addresses: an admin's (same label style), and another tool tagging with its own protocol.
            try await lab.run(in: a.namespace, ["ip", "addr", "add", "198.51.100.20/32", "dev", "eth0", "label", "eth0:vip"])
            try await lab.run(in: a.namespace, ["ip", "addr", "add", "2001:db8:100::20/128", "dev", "eth0", "nodad"])
            let otherTool = try await manager(lab, a, tag: 0x42)
            try otherTool.add(VirtualAddress(IPAddress("198.51.100.21")!, interface: "eth0"))

            let restarted = try await manager(lab, a)
            let removed = try restarted.removeStaleAddresses()
            #expect(Set(removed.map(\.address)) == [Self.vip4, Self.vip6, IPAddress("198.51.100.11")!])

            let shown = Set(try await ipAddresses(lab, a).map(\.address))
            #expect(shown.isSuperset(of: ["198.51.100.20", "2001:db8:100::20", "198.51.100.21", a.ipv4.description]))
            #expect(shown.isDisjoint(with: ["198.51.100.10", "2001:db8:100::10"]))
            #expect(try restarted.removeStaleAddresses().isEmpty, "a second pass finds nothing")
        }
    }

    @Test("On a kernel without IFA_PROTO the state file decides: listed addresses are removed, others kept")
    func stateFileCoversUntaggedAddresses() async throws {
        try await Lab.with(nodes: ["a"]) { lab in
            let a = lab.node("a")
            // A previous run on a kernel without IFA_PROTO: recorded in the file, untagged in the kernel.
            try LabFile.write("eth0 198.51.100.30/32\n", to: lab.directory + "/owned-addresses")
            try await lab.run(in: a.namespace, ["ip", "addr", "add", "198.51.100.30/32", "dev", "eth0"])
            try await lab.run(in: a.namespace, ["ip", "addr", "add", "198.51.100.31/32", "dev", "eth0"])
            let removed = try await manager(lab, a, support: .unsupported).removeStaleAddresses()
            #expect(removed.map(\.address) == [IPAddress("198.51.100.30")!])
            let shown = Set(try await ipAddresses(lab, a).map(\.address))
            #expect(shown.contains("198.51.100.31") && !shown.contains("198.51.100.30"))
        }
    }

    @Test("A symbolic link at the state file's path is refused, neither followed nor replaced, and the VIP is not added")
    func stateFileIsNeverWrittenThroughALink() async throws {
        try await Lab.with(nodes: ["a"]) { lab in
            let a = lab.node("a")
            let path = lab.directory + "/owned-addresses", victim = lab.directory + "/victim"
            try LabFile.write("precious\n", to: victim)
            #expect(symlink(victim, path) == 0)
            let addresses = try await manager(lab, a, support: .unsupported)
            let vip = VirtualAddress(IPAddress("198.51.100.33")!, interface: "eth0")
            #expect {
                try addresses.add(vip)
            } throws: { error in
                "\(error)" == "cannot write \(path): it is a symbolic link, not a regular file; only a regular file is replaced"
            }
            #expect(try String(contentsOfFile: victim, encoding: .utf8) == "precious\n")
            var info = stat()
            #expect(lstat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFLNK)
            #expect(try await !ipAddresses(lab, a).contains { $0.address == "198.51.100.33" })
        }
    }

    @Test("On a tagging kernel, an untagged address re-added by an admin is kept even if the file lists it")
    func untaggedAddressOnTaggingKernelIsNotOurs() async throws {
        try await Lab.with(nodes: ["a"]) { lab in
            let a = lab.node("a")
            let addresses = try await manager(lab, a)
            #expect(try addresses.addresses().contains { $0.protocolTag != nil },
                    "this kernel reports IFA_PROTO (link-locals carry kernel_ll)")
            try LabFile.write("eth0 198.51.100.32/32\n", to: lab.directory + "/owned-addresses")
            try await lab.run(in: a.namespace, ["ip", "addr", "add", "198.51.100.32/32", "dev", "eth0"])
            #expect(try addresses.removeStaleAddresses().isEmpty)
            #expect(try await ipAddresses(lab, a).contains { $0.address == "198.51.100.32" })
        }
    }

    @Test("Once the kernel is seen to keep IFA_PROTO the tag alone marks our VIPs: the state file is not written, and a restart still removes them")
    func taggingKernelNeedsNoStateFileWrites() async throws {
        try await Lab.with(nodes: ["a"]) { lab in
            let a = lab.node("a")
            let path = lab.directory + "/owned-addresses"
            let first = try await manager(lab, a)
            #expect(try first.removeStaleAddresses().isEmpty)
            try first.add(VirtualAddress(Self.vip4, interface: "eth0"))
            #expect(try contents(path).isEmpty, "nothing recorded once the tag is known to be kept")
            // After a crash, the next run finds the VIP by its tag.
            let restarted = try await manager(lab, a)
            #expect(try restarted.removeStaleAddresses().map(\.address) == [Self.vip4])
        }
    }

    @Test("Where IFA_PROTO support is unknown or absent, every VIP is still recorded in the state file")
    func untaggingKernelKeepsRecordingVIPs() async throws {
        try await Lab.with(nodes: ["a"]) { lab in
            let a = lab.node("a")
            let path = lab.directory + "/owned-addresses"
            let old = try await manager(lab, a, support: .unsupported)
            #expect(try old.removeStaleAddresses().isEmpty)
            try old.add(VirtualAddress(Self.vip4, interface: "eth0"))
            #expect(try contents(path) == "eth0 198.51.100.10/32\n")
            // Detection not yet run: recorded too.
            let undetected = try await manager(lab, a)
            try undetected.add(VirtualAddress(Self.vip6, interface: "eth0"))
            #expect(try contents(path).contains("eth0 2001:db8:100::10/128"))
        }
    }

    private func contents(_ path: String) throws -> String {
        guard FileManager.default.fileExists(atPath: path) else { return "" }
        return try String(contentsOfFile: path, encoding: .utf8)
    }

    @Test("A recreated interface (new index) is found again by name")
    func recreatedInterfaceIsFollowed() async throws {
        try await Lab.with(nodes: ["a"]) { lab in
            let a = lab.node("a")
            let addresses = try await manager(lab, a)
            func recreate() async throws {
                _ = try await lab.run(in: a.namespace, ["ip", "link", "del", "vip0"], allowFailure: true)
                try await lab.run(in: a.namespace, ["ip", "link", "add", "vip0", "type", "veth", "peer", "name", "vip1"])
            }
            try await recreate()
            let vip = VirtualAddress(IPAddress("198.51.100.70")!, interface: "vip0")
            #expect(try addresses.add(vip) == .added)
            try await recreate()
            #expect(try addresses.add(vip) == .added)
            #expect(try await ipAddresses(lab, a, interface: "vip0").contains { $0.address == "198.51.100.70" })
        }
    }

    @Test("Kernel refusals are typed errors with errno and the kernel's message")
    func errorsAreTyped() async throws {
        try await Lab.with(nodes: ["a"]) { lab in
            let addresses = try await manager(lab, lab.node("a"))
            #expect(throws: LinuxNetworkingError.noSuchInterface("nosuch0")) {
                try addresses.add(VirtualAddress(Self.vip4, interface: "nosuch0"))
            }
            do {
                try addresses.add(VirtualAddress(Self.vip4, prefixLength: 40, interface: "eth0"))
                Issue.record("a /40 IPv4 prefix must be refused")
            } catch LinuxNetworkingError.netlink(let operation, let code, let message) {
                #expect(code == EINVAL)
                #expect(operation.contains("RTM_NEWADDR"))
                #expect(message?.isEmpty == false, "the extended ACK text is carried")
            }
        }
    }
}
