import Glibc
import LinuxNetworking
import FailoverLab
import Testing

extension EndToEnd {
    /// `ipfailover demo --non-interactive` as CI runs it, and the scripts it embeds.
    @Suite struct Demo {
        @Test("ipfailover demo --non-interactive exits 0 after the VIP moved and came back, and leaves no namespace behind")
        func demoRunsToSuccess() async throws {
            let binary = try Scenario.binary()
            var template = Array("/tmp/ipf-demo-test-XXXXXX".utf8CString)
            let dir = String(cString: try #require(mkdtemp(&template)))
            let timeline = dir + "/timeline.svg"
            defer { _ = unlink(dir + "/out"); _ = unlink(dir + "/err"); _ = unlink(timeline); _ = rmdir(dir) }
            let pid = try LabCommand.spawn([binary, "demo", "--non-interactive", "--timeline", timeline],
                                           standardOutput: dir + "/out", standardError: dir + "/err")
            let status = try await DedicatedThread.run { () -> Int32 in
                var raw: Int32 = 0
                while waitpid(pid, &raw, 0) < 0 && errno == EINTR {}
                return raw
            }
            let out = LabFile.read(dir + "/out") ?? "", err = LabFile.read(dir + "/err") ?? ""
            #expect(status == 0, "exit status \(status)\n\(out)\n\(err)")
            #expect(out.contains("ipfailover demo: OK"), "\(out)")
            #expect(out.contains("INSTANCE demo_VIP_1 FAULT"), "the notify lines are shown")
            // The picture of the run: every node's lanes, the FAULT and both VIP moves.
            #expect(out.contains("  timeline: \(timeline)\n"), "\(out)")
            let svg = LabFile.read(timeline) ?? ""
            #expect(svg.hasPrefix("<svg ") && svg.hasSuffix("</svg>\n"), "\(svg.prefix(200))")
            #expect(svg.contains(": a, b, c</text>"))
            #expect(svg.contains("class=\"state-FAULT\"") && svg.contains("class=\"check-failed\""))
            #expect(svg.components(separatedBy: "class=\"vip-moved\"").count - 1 >= 2, "failover and failback marked")
            // It used the repository's scripts (found from the binary's location).
            #expect(out.contains(DeploymentScripts.repositoryPath), "\(out)")
            let prefix = "ipf-\(pid)-"
            let after = try await LabCommand.run(["ip", "netns", "list"]).standardOutput
            #expect(!after.contains(prefix), "left behind: \(after)")
        }
    }
}

/// The copies of the deployment scripts built into the binary (the demo's fallback).
@Suite struct DeploymentScriptsTests {
    @Test("the embedded check and notify scripts are byte-identical to deploy/kubernetes/scripts")
    func embeddedScriptsMatchTheFiles() throws {
        let files = Scenario.scripts
        #expect(try files.checkScript() == DeploymentScripts.embeddedCheckScript)
        #expect(try files.notifyScript() == DeploymentScripts.embeddedNotifyScript)
    }

    @Test("the scripts directory is found from the working directory or an executable inside the checkout")
    func locatesTheRepositoryScripts() throws {
        guard case .directory(let expected) = Scenario.scripts else { Issue.record("no directory"); return }
        let root = String(expected.dropLast(DeploymentScripts.repositoryPath.count + 1))
        #expect(DeploymentScripts.locate(executable: root + "/.build/debug/ipfailover") == expected)
    }
}
