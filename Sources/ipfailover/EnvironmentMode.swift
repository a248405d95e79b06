import FailoverConfig
import VRRPWire

/// env mode: OPENSHIFT_HA_* → keepalived.conf text, shared by `render` and `run`.
enum EnvironmentMode {
    struct Failure: Error, CustomStringConvertible {
        var diagnostics: [String]
        var description: String { diagnostics.joined(separator: "\n") }
    }

    /// True when the environment asks for env mode (the OpenShift image's trigger).
    static func isRequested(_ environment: [String: String]) -> Bool {
        !(environment["OPENSHIFT_HA_VIRTUAL_IPS"] ?? "").isEmpty
    }

    /// Renders keepalived.conf from the environment. Warnings go to `warn`.
    static func render(environment: [String: String], nodeAddress: String?, hostname: String?,
                       warn: (String) -> Void) throws -> String {
        let nonEmpty = { (name: String) in environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        var node = SystemNodeIdentity.detect(interface: nonEmpty("OPENSHIFT_HA_NETWORK_INTERFACE"))
        if let hostname = hostname ?? nonEmpty("IPFAILOVER_HOSTNAME") { node.hostname = hostname }
        if let text = nodeAddress ?? nonEmpty("IPFAILOVER_NODE_ADDRESS") {
            guard let address = IPAddress(text) else {
                throw Failure(diagnostics: ["IPFAILOVER_NODE_ADDRESS / --node-address '\(text)' is not an IPv4 or IPv6 address"])
            }
            node.primaryAddress = address
        }
        let (configuration, _, diagnostics) = OpenShiftEnvironment.configuration(environment: environment, node: node)
        let errors = diagnostics.filter { $0.severity == .error }.map(\.description)
        for diagnostic in diagnostics where diagnostic.severity != .error { warn(diagnostic.description) }
        guard let configuration, errors.isEmpty else {
            throw Failure(diagnostics: errors.isEmpty ? diagnostics.map(\.description) : errors)
        }
        return KeepalivedRenderer.environmentMode(node: node).render(configuration)
    }
}
