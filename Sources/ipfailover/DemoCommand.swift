import ArgumentParser
import FailoverLab

#if canImport(Glibc)
import Glibc
#endif

/// `ipfailover demo`: the failover lab in one command (root, iproute2).
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Show a failover: 3 nodes in network namespaces, a check breaks on the master, the VIP moves and comes back.",
        discussion: """
        Needs root and iproute2; everything lives in throwaway network namespaces (ipf-<pid>-…) \
        and is removed at the end, on failure and on Ctrl-C. The check and notify scripts are \
        deploy/kubernetes/scripts/ from the checkout (found from the working directory or the \
        binary's location, or $IPFAILOVER_SCRIPTS_DIR), else the copies built into the binary.
        """)

    @Flag(name: .long, help: "No live table or pauses: print the milestones and a summary; exit 0 on success.")
    var nonInteractive = false

    @Option(name: .long, help: "The ipfailover binary the nodes run (default: this one).")
    var binary: String?

    @Option(name: .long, help: "Where to write the run's timeline picture (SVG); 'none': no picture.")
    var timeline = "ipfailover-demo-timeline.svg"

    func run() async throws {
        let demo = FailoverDemo(binary: try LabSession.binary(binary), scripts: DeploymentScripts.bestSource(),
                                interactive: !nonInteractive, timelinePath: timeline == "none" ? nil : timeline,
                                output: LabSession.printLine)
        let (result, signal) = await LabSession.runUntilSignal { try await demo.run() }
        let outcome: Result<FailoverDemo.Summary, any Error> =
            if let signal { .failure(FailoverDemo.Failure(reason: "interrupted by \(signal)")) } else { result }
        switch outcome {
        case .success(let summary):
            print("")
            print("ipfailover demo: OK")
            print("  \(FailoverDemo.vips[0]): \(summary.originalMaster) → \(summary.failoverMaster) when the check failed "
                  + "(client outage \(FailoverDemo.milliseconds(summary.failoverOutage))), back to \(summary.originalMaster) "
                  + "when it passed again (outage \(FailoverDemo.milliseconds(summary.failbackOutage)))")
            print("  \(summary.notifications.count) notify calls; lab removed")
            if let path = summary.timeline { print("  timeline: \(path)") }
        case .failure(let error):
            printError("ipfailover demo: FAILED: \(error)")
            throw ExitCode(1)
        }
    }
}
