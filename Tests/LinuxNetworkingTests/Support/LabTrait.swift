import FailoverLab

/// Tools every lab test needs; tests add their own (keepalived, tshark, nft).
let baseLabTools = ["ip", "sysctl"]

/// Opens a VRRP socket on `node`'s eth0 inside its namespace.
import LinuxNetworking
import VRRPWire

extension Lab {
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

import Testing

/// `.enabled(if:)` for lab tests with the reason in the skip message: outside CI a
/// test is skipped when root or a tool is missing; with CI=true it runs and fails.
func requiresLab(_ tools: [String]) -> ConditionTrait {
    let missing = LabRequirements.missing(tools)
    return .enabled(if: LabRequirements.shouldRun(tools),
                    Comment(rawValue: "lab test skipped: needs \(missing.joined(separator: ", ")) (set CI=true to fail instead)"))
}
