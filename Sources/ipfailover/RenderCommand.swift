import ArgumentParser
import FailoverConfig
import VRRPWire

#if canImport(Glibc)
import Glibc
#endif

/// `ipfailover render`: the keepalived.conf that env mode runs from, built from the
/// process's OPENSHIFT_HA_* environment.
struct RenderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Print the keepalived.conf built from the OPENSHIFT_HA_* environment."
    )

    @Option(name: .long, help: "Write to this file instead of standard output.")
    var output: String?

    @Option(name: .long, help: "The node's own address (default: $IPFAILOVER_NODE_ADDRESS, else the primary address of the VRRP interface).")
    var nodeAddress: String?

    @Option(name: .long, help: "The node's host name (default: $IPFAILOVER_HOSTNAME, else gethostname).")
    var hostname: String?

    @Flag(name: .long, help: "Print the table of OPENSHIFT_HA_* variables and exit.")
    var envHelp = false

    func run() throws {
        if envHelp {
            print(EnvironmentSchema.markdownTable(), terminator: "")
            return
        }
        let environment = ProcessEnvironment.current()
        var node = SystemNodeIdentity.detect(interface: environment["OPENSHIFT_HA_NETWORK_INTERFACE"].flatMap { $0.isEmpty ? nil : $0 })
        let nonEmpty = { (name: String) in environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        if let hostname = hostname ?? nonEmpty("IPFAILOVER_HOSTNAME") { node.hostname = hostname }
        if let nodeAddress = nodeAddress ?? nonEmpty("IPFAILOVER_NODE_ADDRESS") {
            guard let address = IPAddress(nodeAddress) else {
                throw ValidationError("--node-address '\(nodeAddress)' is not an IPv4 or IPv6 address")
            }
            node.primaryAddress = address
        }
        let (configuration, _, diagnostics) = OpenShiftEnvironment.configuration(environment: environment, node: node)
        for diagnostic in diagnostics { printError(diagnostic.description) }
        guard let configuration else { throw ExitCode(CheckConfigStatus.cannotRun.rawValue) }
        let text = KeepalivedRenderer.environmentMode(node: node).render(configuration)
        if let output {
            try ConfigLoader.write(text, to: output)
        } else {
            print(text, terminator: "")
        }
    }
}

/// Standard error output and the process environment for the commands.
enum ProcessEnvironment {
    static func current() -> [String: String] {
        var result: [String: String] = [:]
        var cursor = environ
        while let entry = cursor.pointee {
            let text = String(cString: entry)
            if let eq = text.firstIndex(of: "=") {
                result[String(text[..<eq])] = String(text[text.index(after: eq)...])
            }
            cursor += 1
        }
        return result
    }
}

func printError(_ line: String) {
    let bytes = Array((line + "\n").utf8)
    _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
}
