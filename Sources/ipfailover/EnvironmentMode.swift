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
        let node: NodeIdentity
        do {
            node = try SystemNodeIdentity.resolve(environment: environment, nodeAddress: nodeAddress, hostname: hostname)
        } catch {
            throw Failure(diagnostics: [error.message])
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
