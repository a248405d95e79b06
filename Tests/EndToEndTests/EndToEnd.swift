import FailoverLab
import Testing
import VRRPWire

/// The end-to-end scenarios: three nodes running the built `ipfailover`
/// in env mode (OPENSHIFT_HA_*) in network namespaces, the check and notify scripts of
/// deploy/kubernetes/scripts installed per node, a client probing every VIP every
/// 5 ms. Serialized: each scenario runs three daemons on a 2-core machine.
/// Needs root and iproute2: in CI (`CI=true`) they fail loudly when missing,
/// elsewhere they are skipped.
@Suite(.serialized, .enabled(if: LabRequirements.shouldRun(["ip"]), "needs root and iproute2 (ip)"))
struct EndToEnd {}

/// Shared settings and helpers of the scenarios.
enum Scenario {
    /// The two VIPs, one instance each: lab_VIP_1 and lab_VIP_2.
    static let vips: [IPAddress] = [IPAddress("198.51.100.1")!, IPAddress("198.51.100.2")!]
    static let instances = ["lab_VIP_1", "lab_VIP_2"]
    static let nodes = ["a", "b", "c"]

    /// env mode as an OpenShift deployment sets it, with a 1 s check interval.
    static func settings(preemption: String = "preempt_delay 2", _ extra: [String: String] = [:]) -> [String: String] {
        [
            "OPENSHIFT_HA_CONFIG_NAME": "lab",
            "OPENSHIFT_HA_VIRTUAL_IPS": "198.51.100.1-2",
            "OPENSHIFT_HA_REPLICA_COUNT": "3",
            "OPENSHIFT_HA_CHECK_INTERVAL": "1",
            "OPENSHIFT_HA_PREEMPTION": preemption,
        ].merging(extra) { $1 }
    }

    /// The repository's deploy/kubernetes/scripts (the tests use the files, never the embedded copies).
    static var scripts: DeploymentScripts.Source {
        let testFile = #filePath
        let root = testFile.split(separator: "/").dropLast(3).joined(separator: "/")
        return .directory("/\(root)/\(DeploymentScripts.repositoryPath)")
    }

    /// The built ipfailover, or a recorded failure.
    static func binary() throws -> String {
        try LabRequirements.require(["ip"])
        guard let binary = LabDaemon.ipfailoverBinary() else {
            throw Missing(what: "the ipfailover binary (build it: swift build --build-tests; or set IPFAILOVER_BINARY)")
        }
        return binary
    }

    struct Missing: Error, CustomStringConvertible {
        var what: String
        var description: String { "missing \(what)" }
    }

    /// A cluster of three nodes in env mode with a probe on both VIPs, deployed and
    /// settled (one MASTER per VIP, the others BACKUP, each VIP answering from its master).
    static func deployed<T: Sendable>(preemption: String = "preempt_delay 2", _ extra: [String: String] = [:],
                                      checkScript: Bool = true,
                                      vips: [IPAddress] = vips, instances: [String] = instances,
                                      prepare: (LabCluster) async throws -> Void = { _ in },
                                      _ body: (Deployment) async throws -> T) async throws -> T {
        let binary = try binary()
        return try await LabCluster.with(nodes: nodes, scripts: scripts) { cluster in
            try await prepare(cluster)
            let probe = try await cluster.startProbe(vips)
            let daemons = try await cluster.startEnvironmentMode(binary: binary, settings(preemption: preemption, extra),
                                                                 checkScript: checkScript)
            let (view, settled) = await cluster.waitForView(of: daemons) {
                $0.isSettled(nodes: nodes, instances: instances, preferred: preemption != "nopreempt")
            }
            try #require(settled, "not settled: \(view.summary)\n\(daemons.map { "\($0.node.name): \($0.log.suffix(1500))" }.joined(separator: "\n"))")
            let deployment = Deployment(cluster: cluster, daemons: daemons, probe: probe, settledView: view)
            let instanceOf = { (vip: IPAddress) in view.statuses.values.first!.instances.first { $0.virtualAddresses.contains { $0.hasPrefix(vip.description + "/") } }!.name }
            for vip in vips {
                let master = view.masters(of: instanceOf(vip))[0]
                let answer = await probe.waitForAnswer(to: vip, by: master, after: .now - .seconds(60))
                try #require(answer != nil, "\(vip) never answered by its master \(master)")
            }
            return try await body(deployment)
        }
    }
}

/// A settled env-mode cluster.
struct Deployment: Sendable {
    var cluster: LabCluster
    var daemons: [LabDaemon]
    var probe: VIPProbe
    /// The view right after settling.
    var settledView: ClusterView

    func daemon(_ node: String) -> LabDaemon { daemons.first { $0.node.name == node }! }
    /// The state transitions each daemon logged, for failure messages.
    func transitions() -> String {
        daemons.map { d in
            "\(d.node.name):\n" + d.log.split(separator: "\n").filter { $0.contains("→") || $0.contains("warning") || $0.contains("error") }
                .map { "  " + $0.dropFirst(11) }.joined(separator: "\n")
        }.joined(separator: "\n")
    }
    func master(of instance: String) -> String { settledView.masters(of: instance)[0] }
    func view() async -> ClusterView { await cluster.view(of: daemons) }
    func waitForView(timeout: Duration = .seconds(20), until predicate: (ClusterView) -> Bool) async -> (view: ClusterView, satisfied: Bool) {
        await cluster.waitForView(of: daemons, timeout: timeout, until: predicate)
    }
    /// The notify calls (arguments only) `node` made for `instance`.
    func notifications(_ node: String, _ instance: String) -> [String] {
        cluster.node(node).notifications.filter { $0.name == instance }.map(\.arguments)
    }
    func waitForNotifications(_ node: String, _ instance: String, timeout: Duration = .seconds(15),
                              until predicate: @escaping ([String]) -> Bool) async -> [String] {
        _ = await daemon(node).waitForNotifications(timeout: timeout) { records in
            predicate(records.filter { $0.name == instance }.map(\.arguments))
        }
        return notifications(node, instance)
    }
}

extension Array where Element: Equatable {
    /// True when `other` appears in order (not necessarily adjacent).
    func containsSubsequence(_ other: [Element]) -> Bool {
        var rest = other[...]
        for element in self where element == rest.first { rest = rest.dropFirst() }
        return rest.isEmpty
    }
}
