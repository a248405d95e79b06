import FailoverLab
import LinuxNetworking
import Testing
import VRRPWire

// Needs root and iproute2; skipped with this reason outside CI, fails loudly in CI.
@Suite("LinkMonitor over rtnetlink groups", requiresLab(baseLabTools))
struct LinkMonitorTests {
    init() throws { try LabRequirements.require(baseLabTools) }

    @Test("`ip link set down` produces a link-down event for the interface")
    func linkDownEventArrives() async throws {
        try await Lab.with(nodes: ["a"]) { lab in
            let a = lab.node("a")
            let monitor = try await lab.inNamespace(a.namespace) { try LinkMonitor() }
            defer { monitor.close() }
            let inbox = Inbox(monitor.events())
            _ = try await inbox.next("eth0 usable in the snapshot") {
                if case .linkChanged(let s) = $0 { return s.name == "eth0" && s.isUsable } else { return false }
            }
            let start = ContinuousClock.now
            try await lab.run(in: a.namespace, ["ip", "link", "set", "eth0", "down"])
            let event = try await inbox.next("eth0 down") {
                if case .linkChanged(let s) = $0 { return s.name == "eth0" && !s.isAdministrativelyUp } else { return false }
            }
            guard case .linkChanged(let status) = event else { return }
            #expect(!status.isUsable)
            print("link-down event \(ContinuousClock.now - start) after `ip link set down` started (incl. process spawn)")
        }
    }

    @Test("An interface created after startup is picked up by name (no stuck FAULT, keepalived #2259)")
    func lateInterfaceIsPickedUp() async throws {
        try await Lab.with(nodes: ["a"]) { lab in
            let a = lab.node("a")
            let monitor = try await lab.inNamespace(a.namespace) { try LinkMonitor() }
            defer { monitor.close() }
            let inbox = Inbox(monitor.events())
            #expect(!monitor.snapshot().contains {
                if case .linkChanged(let s) = $0 { s.name == "late0" } else { false }
            })
            try await lab.run(in: a.namespace, ["ip", "link", "add", "late0", "type", "veth", "peer", "name", "late1"])
            try await lab.run(in: a.namespace, ["ip", "link", "set", "late1", "up"])
            try await lab.run(in: a.namespace, ["ip", "link", "set", "late0", "up"])
            _ = try await inbox.next("late0 usable") {
                if case .linkChanged(let s) = $0 { return s.name == "late0" && s.isUsable } else { return false }
            }
        }
    }

    @Test("Address additions and removals arrive with the interface name")
    func addressEventsArrive() async throws {
        try await Lab.with(nodes: ["a"]) { lab in
            let a = lab.node("a")
            let (monitor, addresses) = try await lab.inNamespace(a.namespace) {
                (try LinkMonitor(), try AddressManager(.init(stateFilePath: nil)))
            }
            defer { monitor.close() }
            let inbox = Inbox(monitor.events())
            let vip = VirtualAddress(IPAddress("198.51.100.40")!, interface: "eth0")
            try addresses.add(vip)
            _ = try await inbox.next("address added") {
                if case .addressAdded(let x, let name) = $0 { return x.address == vip.address && name == "eth0" } else { return false }
            }
            try addresses.remove(vip)
            _ = try await inbox.next("address removed") {
                if case .addressRemoved(let x, let name) = $0 { return x.address == vip.address && name == "eth0" } else { return false }
            }
        }
    }

    @Test("Links only (the daemon's monitor): adding and removing a VIP reports nothing; a link change still does")
    func linkOnlyMonitorIgnoresAddressChanges() async throws {
        try await Lab.with(nodes: ["a"]) { lab in
            let a = lab.node("a")
            let (monitor, addresses) = try await lab.inNamespace(a.namespace) {
                (try LinkMonitor(addressEvents: false), try AddressManager(.init(stateFilePath: nil)))
            }
            defer { monitor.close() }
            let inbox = Inbox(monitor.events())
            let vip = VirtualAddress(IPAddress("198.51.100.41")!, interface: "eth0")
            try addresses.add(vip)
            try addresses.remove(vip)
            try await lab.run(in: a.namespace, ["ip", "link", "set", "eth0", "down"])
            // Everything before the link-down event: the snapshot's links, and no address event.
            var addressEvents = 0
            events: while true {
                switch try await inbox.next("eth0 down") {
                case .addressAdded, .addressRemoved: addressEvents += 1
                case .linkChanged(let status) where status.name == "eth0" && !status.isUsable: break events
                default: continue
                }
            }
            #expect(addressEvents == 0)
        }
    }
}
