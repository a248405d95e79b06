import FailoverLab
import FailoverRuntime
import Glibc
@testable import LinuxNetworking
import Testing
import VRRPWire

/// A group of 1,000 VIPs moving on one transition: one IPv4 VIP and 999 IPv6 ones,
/// as the benchmark's row 4 configures them.
private func groupOfVIPs(_ count: Int = 1000, interface: String = "eth0") -> [VirtualAddressSpec] {
    [VirtualAddressSpec(address: IPAddress("198.51.100.1")!, interface: interface)]
        + (1..<count).map { VirtualAddressSpec(address: IPAddress("2001:db8:100::\(String($0, radix: 16))")!, interface: interface) }
}

/// The owned-address file's lines as a set ("eth0 198.51.100.1/32").
private func ownedLines(_ path: String) -> Set<String> {
    Set((LabFile.read(path) ?? "").split(separator: "\n").map(String.init))
}

// Needs root and iproute2; skipped with this reason outside CI, fails loudly in CI.
@Suite("Many VIPs through the address port (batched netlink, one state-file write)", requiresLab(baseLabTools))
struct AddressBatchTests {
    init() throws { try LabRequirements.require(baseLabTools) }

    @Test("1,000 VIPs added as one batch are all on the interface, tagged, and listed in the owned-address file; removed, all are gone")
    func thousandVIPsAddedAndRemovedThroughThePort() async throws {
        try await Lab.with(nodes: ["a"]) { lab in
            let a = lab.node("a")
            let file = lab.directory + "/owned-addresses"
            let manager = try await lab.inNamespace(a.namespace) { try AddressManager(.init(stateFilePath: file)) }
            let port = LinuxVirtualAddresses(manager: manager)
            let specs = groupOfVIPs()
            let expected = Set(specs.map(\.address))

            #expect(port.add(contentsOf: specs).isEmpty)
            let tagged = try manager.addresses(interface: "eth0").filter { $0.protocolTag == AddressManager.defaultProtocolTag }
            #expect(Set(tagged.map(\.address)) == expected)
            #expect(tagged.count == 1000)
            let shown = Set(try await ipAddresses(lab, a).map(\.address))
            #expect(shown.isSuperset(of: Set(specs.map(\.address.description))), "iproute2 sees every VIP")
            #expect(ownedLines(file) == Set(specs.map { "eth0 \($0.address)/\($0.prefixLength)" }))

            // The same batch again: every VIP is already there, which is no failure.
            #expect(port.add(contentsOf: specs).isEmpty)

            #expect(port.remove(contentsOf: specs).isEmpty)
            let left = try manager.addresses(interface: "eth0").map(\.address)
            #expect(Set(left).isDisjoint(with: expected))
            #expect(left.contains(.v4(a.ipv4)), "the node address is untouched")
            #expect(ownedLines(file).isEmpty)
        }
    }

    @Test("Each VIP of a batch gets its own outcome, in order: added, already present, refused, no such interface")
    func batchOutcomesLineUpWithTheirVIPs() async throws {
        try await Lab.with(nodes: ["a"]) { lab in
            let a = lab.node("a")
            let file = lab.directory + "/owned-addresses"
            let manager = try await lab.inNamespace(a.namespace) { try AddressManager(.init(stateFilePath: file)) }
            // 150 VIPs: more than one netlink window (64), so outcomes span windows.
            var vips = (1...150).map { VirtualAddress(IPAddress("2001:db8:200::\(String($0, radix: 16))")!, interface: "eth0") }
            try await lab.run(in: a.namespace, ["ip", "addr", "add", "2001:db8:200::5/128", "dev", "eth0", "nodad"])
            vips[100] = VirtualAddress(IPAddress("198.51.100.40")!, prefixLength: 40, interface: "eth0")  // EINVAL
            vips[120] = VirtualAddress(IPAddress("198.51.100.41")!, interface: "nosuch0")

            let outcomes = try manager.add(contentsOf: vips)
            #expect(outcomes.count == vips.count)
            for (i, outcome) in outcomes.enumerated() {
                switch i {
                case 4: #expect(try outcome.get() == .alreadyPresent, "2001:db8:200::5 was there before")
                case 100:
                    guard case .failure(.netlink(let operation, let code, _)) = outcome else {
                        Issue.record("a /40 IPv4 prefix must be refused, got \(outcome)"); continue
                    }
                    #expect(code == EINVAL)
                    #expect(operation.contains("198.51.100.40"), "the error names its own VIP")
                case 120:
                    guard case .failure(.noSuchInterface("nosuch0")) = outcome else {
                        Issue.record("expected noSuchInterface, got \(outcome)"); continue
                    }
                default: #expect(try outcome.get() == .added, "VIP \(i) \(vips[i])")
                }
            }
            let present = Set(try manager.addresses(interface: "eth0").map(\.address))
            #expect(present.isSuperset(of: vips.enumerated().filter { ![100, 120].contains($0.offset) }.map(\.element.address)))

            let removed = try manager.remove(contentsOf: vips)
            #expect(removed.count == vips.count)
            #expect(try removed[0].get() == true)
            #expect(try removed[149].get() == true)
            #expect(try removed[100].get() == false, "never added: not on the interface")
            let after = Set(try manager.addresses(interface: "eth0").map(\.address))
            #expect(after.isDisjoint(with: vips.map(\.address)))
            // Only the VIP whose interface does not exist stays recorded (its removal failed).
            #expect(ownedLines(file) == ["nosuch0 198.51.100.41/32"])
        }
    }

    @Test("A batch follows an interface recreated with a new index")
    func batchFollowsARecreatedInterface() async throws {
        try await Lab.with(nodes: ["a"]) { lab in
            let a = lab.node("a")
            let manager = try await lab.inNamespace(a.namespace) { try AddressManager(.init(stateFilePath: nil)) }
            func recreate() async throws {
                _ = try await lab.run(in: a.namespace, ["ip", "link", "del", "vip0"], allowFailure: true)
                try await lab.run(in: a.namespace, ["ip", "link", "add", "vip0", "type", "veth", "peer", "name", "vip1"])
            }
            try await recreate()
            let vips = (70...79).map { VirtualAddress(IPAddress("198.51.100.\($0)")!, interface: "vip0") }
            #expect(try manager.add(contentsOf: vips).allSatisfy { (try? $0.get()) == .added })
            try await recreate()
            #expect(try manager.add(contentsOf: vips).allSatisfy { (try? $0.get()) == .added })
            #expect(Set(try await ipAddresses(lab, a, interface: "vip0").map(\.address)) == Set(vips.map(\.address.description)))
        }
    }
}

/// The owned-address file without a kernel: a batch is one rewrite that lists every
/// VIP once.
@Suite("Owned-address file batches")
struct OwnedAddressFileBatchTests {
    @Test("insert(contentsOf:) records every VIP once; remove(contentsOf:) forgets exactly the ones given")
    func batchInsertAndRemove() throws {
        var template = Array("/tmp/ipf-owned-XXXXXX".utf8CString)
        guard let dir = mkdtemp(&template) else { throw LinuxNetworkingError.stateFile(path: "/tmp", errno: errno) }
        let directory = String(cString: dir)
        defer {
            unlink(directory + "/owned"); unlink(directory + "/owned.tmp"); rmdir(directory)
        }
        let file = OwnedAddressFile(path: directory + "/owned")
        let vips = groupOfVIPs(300).map(VirtualAddress.init)
        try file.insert(contentsOf: vips)
        try file.insert(contentsOf: Array(vips.prefix(10)) + [VirtualAddress(IPAddress("198.51.100.2")!, interface: "eth1")])
        let entries = try file.entries()
        #expect(entries.count == 301, "duplicates are not listed twice")
        #expect(Set(entries.map(\.address)) == Set(vips.map(\.address) + [IPAddress("198.51.100.2")!]))
        #expect(entries.first { $0.address == IPAddress("198.51.100.2")! }?.interface == "eth1")

        try file.remove(contentsOf: vips.dropFirst().map { ($0.address, $0.interface) })
        // Same address on another interface is a different entry: it stays.
        try file.remove(contentsOf: [(IPAddress("198.51.100.2")!, "eth0")])
        #expect(try file.entries().map(\.address) == [IPAddress("198.51.100.1")!, IPAddress("198.51.100.2")!])
    }
}

extension AddressBatchTests {
    @Test("A batch add reports each netlink window's VIPs as in place once its ACKs are in, each VIP once, failures excepted")
    func batchAddReportsEachWindowAsItIsApplied() async throws {
        try await Lab.with(nodes: ["a"]) { lab in
            let a = lab.node("a")
            let (manager, observer) = try await lab.inNamespace(a.namespace) {
                (try AddressManager(.init(stateFilePath: nil)), try AddressManager(.init(stateFilePath: nil)))
            }
            let port = LinuxVirtualAddresses(manager: manager)
            // 150 VIPs, one of them already present (EEXIST counts as in place) and one
            // on an interface that does not exist (fails, never reported).
            var specs = groupOfVIPs(150)
            specs[70] = VirtualAddressSpec(address: IPAddress("198.51.100.77")!, interface: "nonexistent0")
            _ = port.add(contentsOf: [specs[100]])
            var parts: [[VirtualAddressSpec]] = []
            var presentWhenReported = true
            let failures = port.add(contentsOf: specs) { part in
                parts.append(part)
                // Reported as soon as the kernel has them: they are on the interface now.
                let onInterface = Set((try? observer.addresses(interface: "eth0").map(\.address)) ?? [])
                presentWhenReported = presentWhenReported && part.allSatisfy { onInterface.contains($0.address) }
            }
            #expect(failures.map(\.address) == [specs[70]])
            #expect(parts.count >= 3, "one report per 64-request window, not one at the end: \(parts.map(\.count))")
            #expect(parts.allSatisfy { $0.count <= NetlinkSocket.batchWindow })
            #expect(parts.flatMap { $0 } == specs.enumerated().filter { $0.offset != 70 }.map(\.element))
            #expect(presentWhenReported)
        }
    }

    @Test("A rehearsed add goes window by window through the batch path, reports each VIP once, and adds nothing anywhere")
    func rehearsedAddReportsEveryWindowAndAddsNothing() async throws {
        try await Lab.with(nodes: ["a"]) { lab in
            let a = lab.node("a")
            let file = lab.directory + "/owned-addresses"
            let manager = try await lab.inNamespace(a.namespace) { try AddressManager(.init(stateFilePath: file)) }
            let port = LinuxVirtualAddresses(manager: manager)
            let before = Set(try manager.addresses().map(\.address))
            let specs = groupOfVIPs(150)
            var parts: [[VirtualAddressSpec]] = []
            port.rehearseAdd(contentsOf: specs) { parts.append($0) }
            #expect(parts.count >= 3, "one report per 64-request window: \(parts.map(\.count))")
            #expect(parts.flatMap { $0 } == specs)
            #expect(Set(try manager.addresses().map(\.address)) == before, "no address added")
            #expect(ownedLines(file).isEmpty, "nothing recorded as owned")
        }
    }
}
