import FailoverLab
import Glibc
import LinuxNetworking
import Testing
import VRRPWire

/// The receive-path counters of a real `ipfailover run`, as /metrics and /status show them.
@Suite(.serialized, .enabled(if: LabRequirements.shouldRun(["ip"]), "needs root and iproute2"))
struct ReceiveAccountingLabTests {
    @Test("An advert longer than the receive buffer shows as packet_len_err; kernel queue drops are exported from the start")
    func oversizedPacketAndQueueDropsAreExported() async throws {
        try LabRequirements.require(["ip"])
        try await Lab.with(nodes: ["a", "b"]) { lab in
            let h = DaemonHarness(lab: lab)
            let a = lab.node("a"), b = lab.node("b")
            try h.writeConfiguration(DaemonHarness.configuration(priority: 150), for: a)
            let pa = try h.start(a)
            #expect(await h.waitForState("MASTER", on: a), "\(pa.standardError)")
            let before = await h.get("/metrics", on: a) ?? ""
            #expect(before.contains(#"ipfailover_dropped_packets_total{reason="socket_queue_dropped"} 0"#), "\(before)")

            // VRID 51, then 5,000 bytes: longer than any advert (fragmented on the wire).
            let oversized: [UInt8] = [0x31, 51, 200, 0, 0, 100, 0, 0] + [UInt8](repeating: 0, count: 4992)
            let raw = try await lab.inNamespace(b.namespace) { socket(AF_INET, Int32(SOCK_RAW.rawValue), 112) }
            #expect(raw >= 0)
            defer { close(raw) }
            var (storage, length) = SocketAddress.storage(.v4(a.ipv4), port: 0)
            let sent = oversized.withUnsafeBytes { bytes in
                withUnsafePointer(to: &storage) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(raw, bytes.baseAddress, bytes.count, 0, $0, length) } }
            }
            #expect(sent == oversized.count)
            let counted = #"ipfailover_dropped_packets_total{reason="packet_len_err"} 1"#
            let deadline = ContinuousClock.now + .seconds(10)
            var metrics = ""
            while ContinuousClock.now < deadline {
                metrics = await h.get("/metrics", on: a) ?? ""
                if metrics.contains(counted) { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(metrics.contains(counted), "\(metrics)")
            let status = await h.get("/status", on: a) ?? ""
            #expect(status.contains(#""socket_queue_dropped" : 0"#), "\(status)")
            #expect(await h.state(of: a) == "MASTER")
        }
    }
}
