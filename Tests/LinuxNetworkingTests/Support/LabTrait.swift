import FailoverLab
import FailoverRuntime
import LinuxNetworking
import Testing
import VRRPWire

/// Tools every lab test needs; tests add their own (keepalived, tshark, nft).
let baseLabTools = ["ip", "sysctl"]

extension Lab {
    /// Opens a VRRP socket on `node`'s eth0 inside its namespace.
    func vrrpSocket(on node: Node, family: AddressFamily, groups: [IPAddress]? = nil,
                    source: IPAddress? = nil) async throws -> VRRPSocket {
        try await inNamespace(node.namespace) {
            try VRRPSocket(.init(interface: node.interface, family: family, multicastGroups: groups, sourceAddress: source))
        }
    }
}

extension Lab.Node {
    func address(_ family: AddressFamily) -> IPAddress {
        family == .ipv4 ? .v4(ipv4) : .v6(ipv6)
    }
}

/// `.enabled(if:)` for lab tests with the reason in the skip message: outside CI a
/// test is skipped when root or a tool is missing; with CI=true it runs and fails.
func requiresLab(_ tools: [String]) -> ConditionTrait {
    let missing = LabRequirements.missing(tools)
    return .enabled(if: LabRequirements.shouldRun(tools),
                    Comment(rawValue: "lab test skipped: needs \(missing.joined(separator: ", ")) (set CI=true to fail instead)"))
}

/// The engine thread the socket tests read on (the daemon has one; so do these tests).
enum TestEngineThread {
    static let shared: EngineThread = try! EngineThread()
}

extension VRRPSocket {
    /// The socket's packets as the daemon reads them — on an engine thread, through
    /// `read(on:_:)` — as a stream.
    func packets(on thread: EngineThread = TestEngineThread.shared) -> AsyncStream<InboundPacket> {
        let (stream, continuation) = AsyncStream.makeStream(of: InboundPacket.self)
        read(on: thread) { packets, _ in for p in packets { continuation.yield(p) } }
        return stream
    }
}

extension InboundPacket {
    var payload: [UInt8] { packet.payload }
    var source: IPAddress { packet.source }
    var destination: IPAddress { packet.destination }
    var hopLimit: UInt8 { packet.ttlOrHopLimit }
}
