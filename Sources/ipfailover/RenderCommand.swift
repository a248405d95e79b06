import ArgumentParser
import FailoverConfig

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

    @OptionGroup var node: NodeOptions

    @Flag(name: .long, help: "Print the OPENSHIFT_HA_* variables (type, default, accepted values, meaning) and exit.")
    var envHelp = false

    @Flag(name: .long, help: "With --env-help: print them as the Markdown table of docs/configuration.md.")
    var markdown = false

    func validate() throws {
        if markdown && !envHelp { throw ValidationError("--markdown goes with --env-help") }
    }

    func run() throws {
        if envHelp {
            print(markdown ? EnvironmentSchema.markdownTable() : EnvironmentSchema.plainListing(), terminator: "")
            return
        }
        let environment = ProcessEnvironment.current()
        let identity = try node.resolve(environment)
        let (configuration, _, diagnostics) = OpenShiftEnvironment.configuration(environment: environment, node: identity)
        for diagnostic in diagnostics { printError(diagnostic.description) }
        guard let configuration else { throw ExitCode(CheckConfigStatus.cannotRun.rawValue) }
        let text = KeepalivedRenderer.environmentMode(node: identity).render(configuration)
        if let output {
            do {
                try ConfigLoader.write(text, to: output)
            } catch {
                printError(error.description)
                throw ExitCode.failure
            }
        } else {
            print(text, terminator: "")
        }
    }
}

/// How env mode learns who the node is (shared by `render`, `check-config` and `config`).
struct NodeOptions: ParsableArguments {
    @Option(name: .long, help: "The node's own address (default: $IPFAILOVER_NODE_ADDRESS, else the primary address of the VRRP interface).")
    var nodeAddress: String?

    @Option(name: .long, help: "The node's host name (default: $IPFAILOVER_HOSTNAME, else gethostname).")
    var hostname: String?

    func resolve(_ environment: [String: String]) throws -> NodeIdentity {
        do {
            return try SystemNodeIdentity.resolve(environment: environment, nodeAddress: nodeAddress, hostname: hostname)
        } catch {
            throw ValidationError(error.message)
        }
    }
}

/// The process environment, read only here (the libraries take it as a dictionary).
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
