import FailoverRuntime
import Testing
@testable import LinuxNetworking

/// The per-wake-up hand-over from the sockets to the receiver: it runs some thousand
/// times a minute for as long as the daemon lives, so it must leave nothing behind.
@Suite struct TransportDeliveryTests {
    final class Sentinel: Sendable {}

    @Test("Each read handed to the receiver leaves nothing behind: once the receiver is replaced, what it captured is freed")
    func deliveryLeavesNothingOfTheReceiverBehind() throws {
        let transport = LinuxVRRPTransport(thread: TestEngineThread.shared)
        weak var captured: Sentinel?
        do {
            let sentinel = Sentinel()
            captured = sentinel
            transport.onReceive { _, _ in withExtendedLifetime(sentinel) {} }
            for _ in 0..<100 { transport.deliver([], malformed: 0) }
        }
        #expect(captured != nil, "the receiver holds it")
        transport.onReceive { _, _ in }
        #expect(captured == nil, "a hand-over kept the old receiver alive")
    }
}
