import Dispatch
import FailoverLab
import FailoverRuntime
import Glibc
import LinuxNetworking
import Synchronization
import Testing
import VRRPWire

/// What the receive sockets count that never becomes an advert: packets longer than
/// the receive buffer, and packets the kernel drops for a full receive queue.
@Suite("VRRPSocket receive accounting on a bridged lab segment", requiresLab(baseLabTools))
struct ReceiveAccountingTests {
    init() throws { try LabRequirements.require(baseLabTools) }

    @Test("A packet longer than the receive buffer is delivered flagged as truncated and counted, not dropped unseen",
          arguments: [AddressFamily.ipv4, .ipv6])
    func oversizedPacketIsCounted(family: AddressFamily) async throws {
        try await Lab.withSocketPair(family: family) { lab, pair in
            let a = pair.a, b = pair.b
            let inbox = Inbox(pair.receiver.packets())
            let group = VRRPSocket.Configuration.defaultGroup(family)
            // A v3 header padded to 5,000 bytes (fragmented on the wire), through a plain
            // raw socket: ours refuses to send anything that long.
            let oversized = TestAdverts.v3(vrid: 7, priority: 200, addresses: []) + [UInt8](repeating: 0, count: 4992)
            let raw = try await lab.inNamespace(a.namespace) { () -> Int32 in
                let fd = socket(family == .ipv4 ? AF_INET : AF_INET6, Int32(SOCK_RAW.rawValue), 112)
                // IPv6: the kernel fills the checksum (IPV6_CHECKSUM, 7 on Linux), as the receiver verifies it.
                var offset: Int32 = 6
                if family == .ipv6 { setsockopt(fd, Int32(IPPROTO_IPV6), 7, &offset, socklen_t(MemoryLayout<Int32>.size)) }
                return fd
            }
            #expect(raw >= 0)
            defer { close(raw) }
            var (storage, length) = SocketAddress.storage(b.address(family), port: 0)
            let sent = oversized.withUnsafeBytes { bytes in
                withUnsafePointer(to: &storage) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(raw, bytes.baseAddress, bytes.count, 0, $0, length) } }
            }
            #expect(sent == oversized.count)
            let packet = try await inbox.next("the oversized packet")
            #expect(packet.isTruncated)
            #expect(packet.payload.count < oversized.count)
            // An advert of normal size after it is whole.
            try pair.sender.send(TestAdverts.v3(vrid: 7, priority: 200, addresses: []), to: group, options: .init(fillVRRPv3Checksum: true))
            #expect(try await inbox.next("a normal advert").isTruncated == false)
        }
    }

    @Test("SO_RXQ_OVFL: packets the kernel drops while the socket's queue is full are counted and reported with the next packet")
    func receiveQueueOverflowIsCounted() async throws {
        try await Lab.withSocketPair(family: .ipv4) { _, pair in
            let sender = pair.sender
            let gate = DispatchSemaphore(value: 0)
            let (entered, enter) = AsyncStream.makeStream(of: Void.self)
            let (probes, probeSeen) = AsyncStream.makeStream(of: UInt32?.self)
            let received = Atomic<Int>(0)
            let blocked = Atomic<Bool>(false)
            // The first read holds the socket's reader (an engine thread of this test's
            // own) until the flood is over.
            pair.receiver.read(on: try EngineThread()) { packets, _ in
                received.add(packets.count, ordering: .relaxed)
                if !blocked.exchange(true, ordering: .relaxed) {
                    enter.yield()
                    _ = gate.wait(timeout: .now() + 30)
                }
                for p in packets where p.payload.count > 2 && p.payload[2] == 1 { probeSeen.yield(p.receiveQueueDrops) }
            }
            let group = IPAddress.v4(.vrrpMulticastGroup)
            let flood = TestAdverts.v3(vrid: 7, priority: 200, addresses: [.v4(IPv4Address(198, 51, 100, 7))])
            try sender.send(flood, to: group, options: .init(fillVRRPv3Checksum: true))
            for await _ in entered { break }
            var sent = 1
            for _ in 0..<3000 {
                if (try? sender.send(flood, to: group, options: .init(fillVRRPv3Checksum: true))) != nil { sent += 1 }
            }
            gate.signal()
            // A probe (priority 1) sent once the queue has room carries the kernel's count.
            let probe = TestAdverts.v3(vrid: 7, priority: 1, addresses: [.v4(IPv4Address(198, 51, 100, 7))])
            let sender2 = Task {
                for _ in 0..<100 {
                    try? sender.send(probe, to: group, options: .init(fillVRRPv3Checksum: true))
                    try? await Task.sleep(for: .milliseconds(50))
                }
            }
            var reported: UInt32?
            for await drops in probes { reported = drops; break }
            sender2.cancel()
            let drops = try #require(reported, "the probe carries the drop count")
            #expect(drops > 0, "the kernel dropped packets while the queue was full")
            #expect(Int(drops) + received.load(ordering: .relaxed) <= sent + 100)
        }
    }
}
