import FailoverLab
import FailoverRuntime
import LinuxNetworking
import Testing
import VRRPWire

/// Raw protocol-112 sockets between two namespaces on a bridge.
// Needs root and iproute2; skipped with this reason outside CI, fails loudly in CI.
@Suite("VRRPSocket on a bridged lab segment", requiresLab(baseLabTools))
struct VRRPSocketTests {
    init() throws { try LabRequirements.require(baseLabTools) }

    static func advert(_ family: AddressFamily, vrid: UInt8 = 7, priority: UInt8 = 200) -> [UInt8] {
        let vip: IPAddress = family == .ipv4 ? .v4(IPv4Address(198, 51, 100, 7)) : .v6(IPv6Address("2001:db8:100::7")!)
        return TestAdverts.v3(vrid: vrid, priority: priority, addresses: [vip])
    }

    @Test("RFC 5798 §5.1.1.3/§5.1.2.3: multicast adverts arrive with TTL/hop limit 255 and a valid checksum",
          arguments: [AddressFamily.ipv4, .ipv6])
    func multicastAdvertArrivesWithHopLimit255(family: AddressFamily) async throws {
        try await Lab.withSocketPair(family: family) { _, pair in
            let inbox = Inbox(pair.receiver.packets())
            let group = VRRPSocket.Configuration.defaultGroup(family)
            let payload = Self.advert(family)
            try pair.sender.send(payload, to: group, options: .init(fillVRRPv3Checksum: true))

            let packet = try await inbox.next("advert from a")
            #expect(packet.hopLimit == 255)
            #expect(packet.destination == group)
            #expect(packet.interface == pair.receiver.configuration.interface)
            if family == .ipv4 {
                #expect(packet.source == pair.a.address(.ipv4))
            } else if case .v6(let source) = packet.source {
                #expect(source.isLinkLocal, "IPv6 adverts come from the link-local address (RFC 5798 §5.1.2.1)")
            }
            #expect(TestAdverts.withoutChecksum(packet.payload) == payload)
            #expect(TestAdverts.checksumIsValid(packet.payload, source: packet.source, destination: packet.destination))
        }
    }

    @Test("RFC 5798 §6.4.2 input: every received advert carries the kernel's receive time, between sending and reading it",
          arguments: [AddressFamily.ipv4, .ipv6])
    func receivedAdvertCarriesTheKernelReceiveTime(family: AddressFamily) async throws {
        try await Lab.withSocketPair(family: family) { _, pair in
            let inbox = Inbox(pair.receiver.packets())
            let wall = SystemWallClock()
            let before = wall.now()
            try pair.sender.send(Self.advert(family), to: VRRPSocket.Configuration.defaultGroup(family),
                                 options: .init(fillVRRPv3Checksum: true))
            let packet = try await inbox.next("advert from a")
            let after = wall.now()
            let stamp = try #require(packet.receivedAt, "SO_TIMESTAMPNS is on")
            #expect(before <= stamp && stamp <= after)
        }
    }

    @Test("A batch goes out in order with TTL/hop limit 255; a message the socket refuses is reported and the rest still go",
          arguments: [AddressFamily.ipv4, .ipv6])
    func batchIsSentInOrderAndAFailureStopsNothing(family: AddressFamily) async throws {
        try await Lab.withSocketPair(family: family) { _, pair in
            let inbox = Inbox(pair.receiver.packets())
            let group = VRRPSocket.Configuration.defaultGroup(family)
            let wrongFamily: IPAddress = family == .ipv4 ? .v6(IPv6Address("ff02::12")!) : .v4(IPv4Address(224, 0, 0, 18))
            let priorities: [UInt8] = [10, 20, 30, 40]
            let batch = priorities.map { priority in
                VRRPSocket.OutgoingMessage(payload: Self.advert(family, priority: priority),
                                           destination: priority == 20 ? wrongFamily : group, source: nil)
            }
            let failures = pair.sender.send(batch: batch)
            #expect(failures.map(\.index) == [1])
            for expected: UInt8 in [10, 30, 40] {
                let packet = try await inbox.next("advert with priority \(expected)")
                #expect(packet.payload[2] == expected)
                #expect(packet.hopLimit == 255)
            }
        }
    }

    @Test("A rehearsed send (MSG_PROBE), alone or as a batch, puts nothing on the wire: the first advert the peer receives is the real one",
          arguments: [AddressFamily.ipv4, .ipv6])
    func rehearsedSendStaysOffTheWire(family: AddressFamily) async throws {
        try await Lab.withSocketPair(family: family) { _, pair in
            let inbox = Inbox(pair.receiver.packets())
            let group = VRRPSocket.Configuration.defaultGroup(family)
            pair.sender.rehearseSend(Self.advert(family, priority: 100), to: group, options: .init(fillVRRPv3Checksum: true))
            pair.sender.rehearseSend(batch: [VRRPSocket.OutgoingMessage(payload: Self.advert(family, priority: 101),
                                                                        destination: group, source: nil)])
            let real = Self.advert(family, priority: 200)
            try pair.sender.send(real, to: group, options: .init(fillVRRPv3Checksum: true))
            let packet = try await inbox.next("the real advert")
            #expect(TestAdverts.withoutChecksum(packet.payload) == real)
        }
    }

    @Test("VRRPv2 payloads keep the checksum the caller computed")
    func vrrpV2ChecksumPassesThrough() async throws {
        try await Lab.withSocketPair(family: .ipv4) { _, pair in
            let inbox = Inbox(pair.receiver.packets())
            let payload = TestAdverts.v2(vrid: 9, priority: 150, addresses: [IPv4Address(198, 51, 100, 9)], password: "secret")
            try pair.sender.send(payload, to: .v4(.vrrpMulticastGroup))
            let packet = try await inbox.next("v2 advert")
            #expect(packet.payload == payload)
            #expect(TestAdverts.checksumIsValid(packet.payload, source: packet.source, destination: packet.destination))
        }
    }

    @Test("RFC 5798 §7.1 TTL check input: a packet sent with TTL 64 is reported with TTL 64",
          arguments: [AddressFamily.ipv4, .ipv6])
    func hopLimitOtherThan255IsReported(family: AddressFamily) async throws {
        try await Lab.withSocketPair(family: family) { _, pair in
            let inbox = Inbox(pair.receiver.packets())
            try pair.sender.send(Self.advert(family), to: VRRPSocket.Configuration.defaultGroup(family),
                                 options: .init(hopLimit: 64, fillVRRPv3Checksum: true))
            let packet = try await inbox.next("TTL-64 advert")
            #expect(packet.hopLimit == 64)
        }
    }

    @Test("Unicast adverts reach the peer from unicast_src_ip with TTL 255", arguments: [AddressFamily.ipv4, .ipv6])
    func unicastAdvertReachesPeer(family: AddressFamily) async throws {
        try await Lab.withSocketPair(family: family, delivery: .unicast) { _, pair in
            let inbox = Inbox(pair.receiver.packets())
            let payload = Self.advert(family)
            try pair.sender.send(payload, to: pair.b.address(family), options: .init(fillVRRPv3Checksum: true))
            let packet = try await inbox.next("unicast advert")
            #expect(packet.source == pair.a.address(family))
            #expect(packet.destination == pair.b.address(family))
            #expect(packet.hopLimit == 255)
            #expect(TestAdverts.withoutChecksum(packet.payload) == payload)
            #expect(TestAdverts.checksumIsValid(packet.payload, source: packet.source, destination: packet.destination))
        }
    }

    @Test("A configured multicast group other than the VRRP default is joined and received",
          arguments: [AddressFamily.ipv4, .ipv6])
    func configuredGroupIsJoined(family: AddressFamily) async throws {
        let group: IPAddress = family == .ipv4 ? IPAddress("224.0.0.200")! : IPAddress("ff02::1:200")!
        try await Lab.withSocketPair(family: family, delivery: .group(group)) { _, pair in
            let inbox = Inbox(pair.receiver.packets())
            try pair.sender.send(Self.advert(family), to: group, options: .init(fillVRRPv3Checksum: true))
            #expect(try await inbox.next("advert to \(group)").destination == group)
        }
    }

    @Test("The socket keeps receiving after its link goes down and up (no reopen needed)",
          arguments: [AddressFamily.ipv4, .ipv6])
    func socketSurvivesLinkFlap(family: AddressFamily) async throws {
        try await Lab.withSocketPair(family: family) { lab, pair in
            let inbox = Inbox(pair.receiver.packets())
            try await lab.run(in: pair.b.namespace, ["ip", "link", "set", "eth0", "down"])
            try await lab.run(in: pair.b.namespace, ["ip", "link", "set", "eth0", "up"])
            try await lab.waitUntilLinksUp()
            // Resend until one arrives: the first packet after a flap may still race the bridge.
            let resend = Task {
                while !Task.isCancelled {
                    try pair.sender.send(Self.advert(family), to: VRRPSocket.Configuration.defaultGroup(family),
                                         options: .init(fillVRRPv3Checksum: true))
                    try await Task.sleep(for: .milliseconds(50))
                }
            }
            defer { resend.cancel() }
            _ = try await inbox.next("advert after the flap")
        }
    }

    @Test("A repeated advert is handed over as the array of its last copy; changed bytes get a new one",
          arguments: [AddressFamily.ipv4, .ipv6])
    func repeatedPayloadIsNotCopiedAgain(family: AddressFamily) async throws {
        try await Lab.withSocketPair(family: family) { _, pair in
            let thread = try EngineThread()
            let (stream, continuation) = AsyncStream.makeStream(of: [UInt8].self)
            pair.receiver.read(on: thread) { packets, _ in
                for packet in packets { continuation.yield(packet.packet.payload) }
            }
            let inbox = Inbox(stream)
            let group = VRRPSocket.Configuration.defaultGroup(family)
            let sent = [Self.advert(family), Self.advert(family), Self.advert(family, priority: 150), Self.advert(family)]
            var received: [[UInt8]] = []  // kept alive: no storage is freed and reused meanwhile
            for payload in sent {
                try pair.sender.send(payload, to: group, options: .init(fillVRRPv3Checksum: true))
                received.append(try await inbox.next("advert"))
            }
            func storage(_ bytes: [UInt8]) -> UInt { bytes.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) } }
            #expect(received.map(TestAdverts.withoutChecksum) == sent)
            #expect(storage(received[1]) == storage(received[0]), "the same bytes again: the same array")
            #expect(storage(received[2]) != storage(received[1]), "another priority: a new array")
            #expect(storage(received[3]) != storage(received[0]), "the first bytes after others: copied afresh")
        }
    }

    @Test("The engine thread reads every packet, in order, and hands it over on its own thread (the daemon's path)")
    func engineThreadReadsEveryPacketInOrder() async throws {
        try await Lab.withSocketPair(family: .ipv4) { _, pair in
            let thread = try EngineThread()
            let (stream, continuation) = AsyncStream.makeStream(of: (UInt8, Bool).self)
            pair.receiver.read(on: thread) { packets, _ in
                for packet in packets { continuation.yield((packet.payload[1], thread.isCurrent)) }
            }
            let inbox = Inbox(stream)
            for vrid: UInt8 in [11, 12, 13] {
                try pair.sender.send(Self.advert(.ipv4, vrid: vrid), to: .v4(.vrrpMulticastGroup), options: .init(fillVRRPv3Checksum: true))
            }
            var seen: [(UInt8, Bool)] = []
            for _ in 0..<3 { seen.append(try await inbox.next("advert")) }
            #expect(seen.map(\.0) == [11, 12, 13])
            #expect(seen.allSatisfy { $0.1 }, "delivered on the engine thread")
        }
    }
}

// Needs root and iproute2; skipped with this reason outside CI, fails loudly in CI.
@Suite("VRRPSocketPool", requiresLab(baseLabTools))
struct VRRPSocketPoolTests {
    init() throws { try LabRequirements.require(baseLabTools) }

    @Test("Instances on one interface and family share one socket; the last release closes it")
    func instancesShareOneSocketPerInterfaceAndFamily() async throws {
        try await Lab.with { lab in
            let b = lab.node("b")
            let pool = VRRPSocketPool()
            let (first, second, v6) = try await lab.inNamespace(b.namespace) {
                (try pool.lease(interface: "eth0", family: .ipv4), try pool.lease(interface: "eth0", family: .ipv4),
                 try pool.lease(interface: "eth0", family: .ipv6))
            }
            #expect(first.socket === second.socket)
            #expect(first.socket !== v6.socket)
            #expect(pool.openSocketCount == 2)

            // Still joined to 224.0.0.18 while one lease holds it.
            first.release()
            let inbox = Inbox(second.socket.packets())
            let sender = try await lab.vrrpSocket(on: lab.node("a"), family: .ipv4)
            defer { sender.close() }
            // Resend until one arrives: on a loaded machine the first frame on a
            // freshly created veth pair can be lost before the link settles.
            var delivered = false
            for _ in 0..<5 where !delivered {
                try sender.send(VRRPSocketTests.advert(.ipv4), to: .v4(.vrrpMulticastGroup), options: .init(fillVRRPv3Checksum: true))
                delivered = (try? await inbox.next("advert on the still-leased socket", within: .seconds(2))) != nil
            }
            #expect(delivered, "no advert reached the socket that still holds the group")

            second.release()
            v6.release()
            #expect(pool.openSocketCount == 0)
        }
    }
}
