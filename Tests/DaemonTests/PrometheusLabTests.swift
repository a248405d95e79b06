import FailoverLab
import Glibc
import Testing

/// The shipped alert rules on a real Prometheus (Debian's `prometheus`) scraping
/// three daemons: a partition that makes two masters fires IPFailoverSplitBrain.
@Suite(.serialized) struct PrometheusLabTests {
    static let prometheusPort: UInt16 = 63090

    /// deploy/monitoring/ipfailover.rules.yaml, found from this source file.
    static var rulesFile: String {
        let here = #filePath.split(separator: "/", omittingEmptySubsequences: false)
        return (here.dropLast(3) + ["deploy", "monitoring", "ipfailover.rules.yaml"]).joined(separator: "/")
    }

    /// The alerts Prometheus reports now (`/api/v1/alerts`), as text.
    static func alerts(_ lab: Lab, _ node: Lab.Node) async -> String {
        guard let body = try? await NamespaceHTTP.get(namespace: node.namespace, port: prometheusPort, path: "/api/v1/alerts")
        else { return "" }
        return String(decoding: body, as: UTF8.self)
    }

    @Test("Prometheus with the shipped rules scrapes three daemons and fires IPFailoverSplitBrain during a partition, not before",
          .enabled(if: access("/usr/bin/prometheus", X_OK) == 0, "Debian's prometheus package is not installed"))
    func splitBrainAlertFires() async throws {
        try LabRequirements.require(["ip", "nft"])
        try await Lab.with(nodes: ["a", "b", "c", "p"]) { lab in
            let h = DaemonHarness(lab: lab)
            let a = lab.node("a"), b = lab.node("b"), c = lab.node("c"), p = lab.node("p")
            try h.writeConfiguration(DaemonHarness.configuration(priority: 150), for: a)
            try h.writeConfiguration(DaemonHarness.configuration(priority: 100), for: b)
            try h.writeConfiguration(DaemonHarness.configuration(priority: 50), for: c)
            let pa = try h.start(a, statusHost: "0.0.0.0")
            #expect(await h.waitForState("MASTER", on: a), "\(pa.standardError)")
            for node in [b, c] {
                let process = try h.start(node, statusHost: "0.0.0.0")
                #expect(await h.waitForState("BACKUP", on: node), "\(process.standardError)")
            }

            // Prometheus in its own node, scraping the three over the lab's bridge.
            let targets = [a, b, c].map { "\"\($0.ipv4):\(DaemonHarness.statusPort)\"" }.joined(separator: ", ")
            try LabFile.write("""
                global:
                  scrape_interval: 1s
                  evaluation_interval: 1s
                rule_files:
                  - \(Self.rulesFile)
                scrape_configs:
                  - job_name: ipfailover
                    static_configs:
                      - targets: [\(targets)]

                """, to: "\(lab.directory)/prometheus.yml")
            let prometheus = try lab.spawn(in: p.namespace, [
                "/usr/bin/prometheus", "--config.file=\(lab.directory)/prometheus.yml",
                "--storage.tsdb.path=\(lab.directory)/tsdb", "--web.listen-address=127.0.0.1:\(Self.prometheusPort)",
            ], logName: "prometheus")
            // Up and scraping all three before the partition; no split brain yet.
            let deadline = ContinuousClock.now + .seconds(60)
            var targetsUp = ""
            while ContinuousClock.now < deadline {
                let body = try? await NamespaceHTTP.get(namespace: p.namespace, port: Self.prometheusPort,
                                                        path: "/api/v1/query?query=sum(up%7Bjob%3D%22ipfailover%22%7D)")
                targetsUp = body.map { String(decoding: $0, as: UTF8.self) } ?? ""
                if targetsUp.contains(#""3"]"#) { break }
                try await Task.sleep(for: .milliseconds(250))
            }
            #expect(targetsUp.contains(#""3"]"#), "\(targetsUp) \(prometheus.standardError.suffix(2000))")
            #expect(!(await Self.alerts(lab, p)).contains("IPFailoverSplitBrain"))

            // a and b cannot hear each other: b becomes a second master, c hears both.
            try await SplitBrainLabTests.deafen(a, to: b, in: lab)
            try await SplitBrainLabTests.deafen(b, to: a, in: lab)
            #expect(await h.waitForState("MASTER", on: b))
            var alerts = ""
            let firingBy = ContinuousClock.now + .seconds(60)
            while ContinuousClock.now < firingBy {
                alerts = await Self.alerts(lab, p)
                if alerts.contains("IPFailoverSplitBrain"), alerts.contains(#""state":"firing""#) { break }
                try await Task.sleep(for: .milliseconds(250))
            }
            #expect(alerts.contains("IPFailoverSplitBrain") && alerts.contains(#""state":"firing""#),
                    "\(alerts) \(prometheus.standardError.suffix(2000))")
            #expect(alerts.contains(#""vrid":"51""#))
            try await SplitBrainLabTests.heal(a, in: lab)
            try await SplitBrainLabTests.heal(b, in: lab)
            #expect(await h.waitForState("BACKUP", on: b))
        }
    }
}
