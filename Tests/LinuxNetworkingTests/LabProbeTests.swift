import FailoverLab
import LinuxNetworking
import Testing
import VRRPWire

// The lab's client and responders: a VIP is answered from the VIP itself, as a real
// service answers and as a client with a connected socket requires.
@Suite("Lab probe and responder", requiresLab(baseLabTools))
struct LabProbeTests {
    init() throws { try LabRequirements.require(baseLabTools) }

    @Test("The responder answers from the VIP asked, not from the node's own address; the probe accepts only that")
    func answersComeFromTheVIP() async throws {
        try await Lab.with(nodes: ["a", "c"]) { lab in
            let a = lab.node("a"), c = lab.node("c")
            let v4 = IPAddress("198.51.100.7")!, v6 = IPAddress("2001:db8:100::7")!
            // The node's own addresses (192.0.2.10, 2001:db8::10) are what the kernel
            // would choose as the source for an answer to the client.
            try await lab.run(in: a.namespace, ["ip", "addr", "add", "\(v4)/32", "dev", a.interface])
            try await lab.run(in: a.namespace, ["ip", "addr", "add", "\(v6)/128", "dev", a.interface, "nodad"])
            try await lab.run(in: c.namespace, ["ip", "route", "add", "198.51.100.0/24", "dev", c.interface])
            try await lab.run(in: c.namespace, ["ip", "-6", "route", "add", "2001:db8:100::/64", "dev", c.interface])
            let responder = try await UDPResponder.start(in: a.namespace, name: "a", port: 7007)
            let probe = try await VIPProbe.start(in: c.namespace, targets: [v4, v6], port: 7007, interval: .milliseconds(5))
            let answers = (v4: await probe.waitForAnswer(to: v4, by: "a", timeout: .seconds(5)),
                           v6: await probe.waitForAnswer(to: v6, by: "a", timeout: .seconds(5)))
            await probe.stop()
            await responder.stop()
            #expect(answers.v4 != nil, "no answer from \(v4); \(probe.misaddressedAnswers) from another address")
            #expect(answers.v6 != nil, "no answer from \(v6); \(probe.misaddressedAnswers) from another address")
            #expect(probe.misaddressedAnswers == 0)
            #expect(responder.answered > 0)
        }
    }
}
