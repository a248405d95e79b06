import ArgumentParser
import FailoverLab

#if canImport(Glibc)
import Glibc
#endif

/// `ipfailover lab soak`: the seeded random-fault soak (see docs/lab.md).
struct SoakCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "soak",
        abstract: "Inject seeded random faults into a lab cluster and check the failover invariants after each.",
        discussion: """
        Builds N nodes and a probing client in network namespaces (ipf-<pid>-…), runs ipfailover \
        on each (one node keepalived with --keepalived-node), and for each event kills, restarts, \
        cuts, degrades, reloads or breaks the check of one node, heals it, and checks in the quiet \
        period that follows: one MASTER per VRID holding its VIPs, no VIP elsewhere, each VIP \
        answered by one node, notify calls in order, no zombies, no unexpected exit, flat \
        descriptors and memory. Exit status 1 on any violation. Everything is removed on exit.
        """)

    @Option(name: .long, help: "Seed of the fault sequence (the same seed replays the same faults).")
    var seed: UInt64 = 1

    @Option(name: .long, help: "Number of fault events.")
    var events: Int = 100

    @Option(name: .long, help: "Number of VRRP nodes (2–8).")
    var nodes: Int = 3

    @Option(name: .long, help: "Run this keepalived.conf on every node instead of the generated one (interface names become eth0).")
    var config: String?

    @Flag(name: .long, help: "Run keepalived (from PATH) on the last node instead of ipfailover.")
    var keepalivedNode = false

    @Option(name: .long, help: "Where to write the JSON summary (default: ipfailover-soak-<seed>.json).")
    var json: String?

    @Option(name: .long, help: "Directory for an SVG timeline of each violation's window (default: the JSON summary's directory); 'none': no timelines.")
    var timelines: String?

    @Option(name: .long, help: "Seconds a cluster may take to settle after a fault before it is a violation.")
    var settleTimeout: Int = 30

    @Flag(name: .long, help: "One line per event.")
    var verbose = false

    @Option(name: .long, help: "The ipfailover binary the nodes run (default: this one).")
    var binary: String?

    @Option(name: .long, help: "Comma-separated kinds of fault to draw from (default: all), e.g. packetLoss,partition.")
    var faults: String?

    func run() async throws {
        let binary = try LabSession.binary(binary)
        guard events >= 0 else { throw ValidationError("--events must be 0 or more, got \(events)") }
        var kinds: [SoakFault]?
        if let faults {
            kinds = try faults.split(separator: ",").map { name in
                guard let kind = SoakFault(rawValue: String(name)) else {
                    throw ValidationError("--faults: no fault '\(name)'; the kinds are "
                                          + SoakFault.allCases.map(\.rawValue).joined(separator: ", "))
                }
                return kind
            }
            guard kinds?.isEmpty == false else { throw ValidationError("--faults: name at least one kind") }
        }
        var configuration: String?
        if let config {
            guard let text = LabFile.read(config) else { throw ValidationError("cannot read --config \(config)") }
            configuration = text
        }
        let summaryPath = json ?? "ipfailover-soak-\(seed).json"
        let timelineDirectory: String? = switch timelines {
        case "none": nil
        case let directory?: directory
        case nil: summaryPath.contains("/") ? String(summaryPath[..<summaryPath.lastIndex(of: "/")!]) : "."
        }
        let soak = SoakRun(options: .init(seed: seed, events: events, nodeCount: nodes, keepalivedNode: keepalivedNode,
                                          configuration: configuration, binary: binary,
                                          settleTimeout: .seconds(settleTimeout), verbose: verbose,
                                          timelineDirectory: timelineDirectory, faults: kinds),
                           output: LabSession.printLine)
        // A signal stops the soak after its current event; it still reports.
        let (outcome, _) = await LabSession.runUntilSignal { try await soak.run() }
        switch outcome {
        case .success(let report):
            print("")
            for line in report.humanSummary { print(line) }
            let path = summaryPath
            do {
                try LabFile.write(try report.json() + "\n", to: path)
                print("  JSON summary: \(path)")
            } catch {
                printError("ipfailover lab soak: cannot write \(path): \(error)")
                throw ExitCode(1)
            }
            if !report.violations.isEmpty || report.interrupted { throw ExitCode(1) }
        case .failure(let error):
            printError("ipfailover lab soak: FAILED: \(error)")
            throw ExitCode(1)
        }
    }
}
