import Glibc
import Synchronization
import VRRPWire

/// The failover lab: a `Lab` segment of N nodes plus a `client` namespace, a
/// `UDPResponder` answering with the node's name on every node, per-node scripts and
/// files (`ClusterNode`), daemons (`LabDaemon`, ipfailover or keepalived) and probes
/// (`VIPProbe`) in the client. Used by `ipfailover demo`, the end-to-end tests and the
/// benchmark. `with` tears everything down on every exit path: probes, responders,
/// daemons (by PID), namespaces, files.
public final class LabCluster: Sendable {
    /// The segment.
    public let lab: Lab
    /// The VRRP nodes.
    public let nodes: [ClusterNode]
    /// The client namespace (on the bridge, routes to the VIP ranges on-link).
    public let client: Lab.Node
    /// The UDP port every responder listens on.
    public let responderPort: UInt16
    /// The IPv4 and IPv6 VIP ranges the client reaches on-link.
    public static let vipRanges = ["198.51.100.0/24", "2001:db8:100::/64"]
    private let responders = Mutex<[UDPResponder]>([])
    private let probes = Mutex<[VIPProbe]>([])
    private let daemons = Mutex<[LabDaemon]>([])
    private let listeners = Mutex<[TCPListener]>([])

    private init(lab: Lab, nodes: [ClusterNode], client: Lab.Node, responderPort: UInt16) {
        self.lab = lab
        self.nodes = nodes
        self.client = client
        self.responderPort = responderPort
    }

    /// Builds a cluster, runs `body`, and tears everything down whether it returns or throws.
    public static func with<T: Sendable>(nodes names: [String] = ["a", "b", "c"],
                                         scripts: DeploymentScripts.Source = DeploymentScripts.bestSource(),
                                         responderPort: UInt16 = 7007,
                                         _ body: (LabCluster) async throws -> T) async throws -> T {
        try await Lab.with(nodes: names + ["client"]) { lab in
            let cluster = LabCluster(
                lab: lab,
                nodes: lab.nodes.dropLast().map { ClusterNode(node: $0, directory: "\(lab.directory)/\($0.name)") },
                client: lab.nodes.last!, responderPort: responderPort)
            do {
                try await cluster.build(scripts: scripts)
                let result = try await body(cluster)
                await cluster.shutdown()
                return result
            } catch {
                await cluster.shutdown()
                throw error
            }
        }
    }

    private func build(scripts: DeploymentScripts.Source) async throws {
        for range in Self.vipRanges {
            try await lab.run(in: client.namespace, ["ip", "route", "add", range, "dev", client.interface])
        }
        for node in nodes {
            try node.install(scripts: scripts)
            let responder = try await UDPResponder.start(in: node.namespace, name: node.name, port: responderPort)
            responders.withLock { $0.append(responder) }
        }
    }

    /// Stops probes, responders and daemons (SIGTERM, then SIGKILL). `Lab` removes the rest.
    func shutdown() async {
        for probe in probes.withLock({ p in defer { p = [] }; return p }) { await probe.stop() }
        for daemon in daemons.withLock({ d in defer { d = [] }; return d }) { await daemon.stop() }
        for responder in responders.withLock({ r in defer { r = [] }; return r }) { await responder.stop() }
        for listener in listeners.withLock({ l in defer { l = [] }; return l }) { await listener.stop() }
    }

    /// The node called `name`.
    public func node(_ name: String) -> ClusterNode { nodes.first { $0.name == name }! }

    /// The environment env mode needs on `node` in the lab besides the OPENSHIFT_HA_*
    /// settings: the VRRP interface, the node's address and host name, and the
    /// check/notify scripts by full path from the node's scripts directory.
    public func environment(for node: ClusterNode, _ settings: [String: String],
                            checkScript: Bool = true, notifyScript: Bool = true) -> [String: String] {
        var env = settings
        env["OPENSHIFT_HA_NETWORK_INTERFACE"] = node.node.interface
        env["IPFAILOVER_NODE_ADDRESS"] = node.node.ipv4.description
        env["IPFAILOVER_HOSTNAME"] = node.name
        if checkScript { env["OPENSHIFT_HA_CHECK_SCRIPT"] = node.checkScript }
        if notifyScript { env["OPENSHIFT_HA_NOTIFY_SCRIPT"] = node.notifyScript }
        return env
    }

    /// Creates (not starts) a daemon on `node`.
    public func daemon(on node: ClusterNode, _ implementation: LabDaemon.Implementation, _ setup: LabDaemon.Setup,
                       statusPort: UInt16 = 63000, logLevel: String = "info") -> LabDaemon {
        let daemon = LabDaemon(lab: lab, node: node, implementation: implementation, setup: setup,
                               statusPort: statusPort, logLevel: logLevel)
        daemons.withLock { $0.append(daemon) }
        return daemon
    }

    /// Creates and starts an ipfailover in env mode on every node with `settings`
    /// plus each node's own environment (`environment(for:_:)`).
    public func startEnvironmentMode(binary: String, _ settings: [String: String],
                                     checkScript: Bool = true, notifyScript: Bool = true) async throws -> [LabDaemon] {
        var started: [LabDaemon] = []
        for node in nodes {
            let d = daemon(on: node, .ipfailover(binary: binary),
                           .environment(environment(for: node, settings, checkScript: checkScript, notifyScript: notifyScript)))
            try await d.start()
            started.append(d)
        }
        return started
    }

    /// Starts a TCP listener on `port` on `node` (the default check's target).
    public func startListener(on node: ClusterNode, port: UInt16) async throws -> TCPListener {
        let listener = try await TCPListener.start(in: node.namespace, port: port)
        listeners.withLock { $0.append(listener) }
        return listener
    }

    /// Starts a probe in the client for `vips`.
    public func startProbe(_ vips: [IPAddress], interval: Duration = .milliseconds(5)) async throws -> VIPProbe {
        let probe = try await VIPProbe.start(in: client.namespace, targets: vips, port: responderPort, interval: interval)
        probes.withLock { $0.append(probe) }
        return probe
    }

    /// Runs a command in `node`'s namespace.
    @discardableResult
    public func run(on node: ClusterNode, _ arguments: [String], allowFailure: Bool = false) async throws -> LabCommand.Result {
        try await lab.run(in: node.namespace, arguments, allowFailure: allowFailure)
    }

    /// Sets `node`'s bridge port down or up (the node's link as seen by the segment).
    public func setBridgePort(of node: ClusterNode, up: Bool) async throws {
        try await LabCommand.run(["ip", "-n", lab.bridgeNamespace, "link", "set", node.node.bridgePort, up ? "up" : "down"])
    }

    /// Cuts `node` off the segment (its bridge port leaves the bridge; both ends keep
    /// carrier, so the node sees no link change) or, with `isolated: false`, heals it.
    public func setPartitioned(_ node: ClusterNode, _ isolated: Bool) async throws {
        try await LabCommand.run(["ip", "-n", lab.bridgeNamespace, "link", "set", node.node.bridgePort]
                                 + (isolated ? ["nomaster"] : ["master", lab.bridge]))
    }

    /// Runs an nft script in the bridge namespace (e.g. to drop multicast on the segment).
    public func bridgeFirewall(_ script: String) async throws {
        try await lab.run(in: lab.bridgeNamespace, ["nft", "-f", "-"], input: script)
    }

    /// Sets `node`'s own interface down or up (link down on the node).
    public func setLink(of node: ClusterNode, up: Bool) async throws {
        try await lab.run(in: node.namespace, ["ip", "link", "set", node.node.interface, up ? "up" : "down"])
    }

    /// The VIPs configured on `node`'s interface right now (`ip -brief addr`).
    public func addresses(on node: ClusterNode) async throws -> [String] {
        let out = try await lab.run(in: node.namespace, ["ip", "-brief", "addr", "show", "dev", node.node.interface]).standardOutput
        return out.split(whereSeparator: { $0 == " " || $0 == "\n" }).dropFirst(2).map { String($0.split(separator: "/")[0]) }
    }
}
