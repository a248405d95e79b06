// The failover benchmark: ipfailover against keepalived in the same lab, from the same
// keepalived.conf, alternating daemons. Writes a JSON file and prints a Markdown table.
// Needs root, tcpdump, tshark and keepalived. Not a test: it measures, it does not judge.
//
//   FailoverBenchmark [--quick] [--repetitions N] [--rows 1,2,3,4,5,6,7] [--window S]
//                     [--instances 1,16,64,255] [--output results.json] [--markdown table.md]
//                     [--chart scaling.svg]
import FailoverLab
import Glibc
import UnixSignals

struct Options {
    var repetitions = 5
    var rows: Set<Int> = [1, 2, 3, 4, 5, 6, 7]
    /// The instance counts of the scaling series (row 7).
    var instanceCounts = [1, 16, 64, 255]
    var chart: String?
    var window: Double = 20
    var output = "benchmark-results/latest.json"
    var markdown: String?
    var events = FailoverEvent.allCases

    init(_ arguments: [String]) {
        var args = arguments[...]
        while let a = args.popFirst() {
            switch a {
            case "--quick": repetitions = 2; window = 5
            case "--repetitions": repetitions = Int(args.popFirst() ?? "") ?? repetitions
            case "--rows": rows = Set((args.popFirst() ?? "").split(separator: ",").compactMap { Int($0) })
            case "--window": window = Double(args.popFirst() ?? "") ?? window
            case "--output": output = args.popFirst() ?? output
            case "--markdown": markdown = args.popFirst()
            case "--chart": chart = args.popFirst()
            case "--instances":
                instanceCounts = (args.popFirst() ?? "").split(separator: ",").compactMap { Int($0) }.filter { (1...255).contains($0) }
            case "--events":
                let names = (args.popFirst() ?? "").split(separator: ",").map(String.init)
                events = FailoverEvent.allCases.filter { e in names.contains { e.rawValue.hasPrefix($0) || "\(e)" == $0 } }
            default:
                FileHandleErr.write("unknown argument \(a)\n")
                exit(2)
            }
        }
    }
}

enum FileHandleErr {
    static func write(_ s: String) { var b = Array(s.utf8); _ = Glibc.write(2, &b, b.count) }
}

func log(_ s: String) { FileHandleErr.write("[bench] \(s)\n") }

let options = Options(Array(CommandLine.arguments.dropFirst()))
let missing = LabRequirements.missing(["ip", "tcpdump", "tshark", "keepalived", "ethtool"])
guard getuid() == 0, missing.isEmpty else {
    log("needs root and: ip, tcpdump, tshark, keepalived, ethtool (missing: \(missing.joined(separator: ", ")))")
    exit(2)
}
guard let binary = LabDaemon.ipfailoverBinary() else {
    log("ipfailover binary not found (build it, or set IPFAILOVER_BINARY)")
    exit(2)
}
log("ipfailover: \(binary); repetitions \(options.repetitions); rows \(options.rows.sorted())")

var results = Results()
let port: UInt16 = 7007

/// The two daemons in alternating order: ipfailover first on odd repetitions. None
/// once the run is cancelled: every row's loop goes through here.
func order(_ repetition: Int) -> [Daemon] {
    if Task.isCancelled { return [] }
    return repetition % 2 == 0 ? [.ipfailover, .keepalived] : [.keepalived, .ipfailover]
}

func ms(_ s: Double) -> Double { s * 1000 }

// Rows 6 and 7: the whole 3-node cluster, every node measured (a master, b and c
// backups). Row 6: 255 instances with and without the shared check and notify script,
// and at VRRPv2 1 s. Row 7: the instance-count series, with check and notify.
var series = ScalingSeries()
@MainActor func clusterRow(_ row: String, setup: BenchmarkSetup, instances: Int, scripts: Bool) async {
    for rep in 0..<options.repetitions {
        for daemon in order(rep) {
            let run = ClusterRun(setup: setup, daemon: daemon, instances: instances, scripts: scripts,
                                 window: .milliseconds(Int64(options.window * 1000)), binary: binary, port: port)
            do {
                let usage = try await run.run()
                for node in usage.keys.sorted() {
                    let role = node == "a" ? "master" : "backup"
                    let u = usage[node]!
                    results.add(row: row, "CPU, node \(node) (\(role))", unit: "% of a core", daemon, u.cpuFraction * 100,
                                note: "on-CPU time of the process tree's threads over \(Results.format(options.window)) s")
                    results.add(row: row, "peak RSS, node \(node) (\(role))", unit: "MiB", daemon, u.peakRSS / 1_048_576)
                    if scripts, setup == .v3Fast { series.add(daemon: daemon, node: node, instances: instances, cpu: u.cpuFraction * 100) }
                }
                log("\(row) \(daemon) #\(rep + 1): " + usage.keys.sorted().map {
                    "\($0) CPU \(Results.format(usage[$0]!.cpuFraction * 100)) %, RSS \(Results.format(usage[$0]!.peakRSS / 1_048_576)) MiB"
                }.joined(separator: "; "))
            } catch {
                for node in ["a", "b", "c"] {
                    results.add(row: row, "CPU, node \(node) (\(node == "a" ? "master" : "backup"))", unit: "% of a core", daemon, nil)
                }
                log("\(row) \(daemon) #\(rep + 1) FAILED: \(error)")
            }
        }
    }
}
/// Every row asked for, in order. Cancelled (a signal), the run in progress ends
/// through its lab's cleanup and `order` starts nothing more.
@MainActor func runRows() async {
    // Row 1: failover for each event, VRRPv3 0.1 s and VRRPv2 1 s.
    if options.rows.contains(1) {
        for setup in [BenchmarkSetup.v3Fast, .v2Slow] {
            let masterDown = ms(setup.masterDownInterval(priority: BenchmarkSetup.backupPriority))
            let skew = ms(setup.skewTime(priority: BenchmarkSetup.backupPriority))
            for event in options.events {
                let row = "1 \(setup.label), \(event.rawValue)"
                for rep in 0..<options.repetitions {
                    for daemon in order(rep) {
                        let run = FailoverRun(setup: setup, event: event, daemon: daemon, checkInterval: 1, binary: binary, port: port)
                        do {
                            let s = try await run.run()
                            results.add(row: row, "client outage (probe, 2 ms)", unit: "ms", daemon, ms(s.outage))
                            results.add(row: row, "event → new master answers (probe)", unit: "ms", daemon, ms(s.recovery))
                            let boundNote = "bound: Master_Down \(Results.format(masterDown)) ms or skew \(Results.format(skew)) ms after prio 0"
                            results.add(row: row, "advert takeover above bound (wire)", unit: "ms", daemon, s.wire.map { ms($0.overhead) }, note: boundNote)
                            results.add(row: row, "first GARP above bound (wire)", unit: "ms", daemon, s.wire?.garpOverhead.map(ms))
                            results.add(row: row, "runs whose old master sent priority 0", unit: "share", daemon, s.wire.map { $0.priorityZero ? 1 : 0 })
                            log("\(row) \(daemon) #\(rep + 1): outage \(Results.format(ms(s.outage))) ms, wire \(s.wire.map { "takeover \(Results.format(ms($0.takeover))) ms, bound \(Results.format(ms($0.bound))), over \(Results.format(ms($0.overhead))), garp over \($0.garpOverhead.map { Results.format(ms($0)) } ?? "none"), prio0 \($0.priorityZero)" } ?? "not found")")
                        } catch {
                            results.add(row: row, "client outage (probe, 2 ms)", unit: "ms", daemon, nil)
                            log("\(row) \(daemon) #\(rep + 1) FAILED: \(error)")
                        }
                    }
                }
            }
        }
    }

    // Row 2: check-failure detection, 100 ms check interval for ipfailover, 1 s (its minimum) for keepalived.
    if options.rows.contains(2) {
        let setup = BenchmarkSetup.v3Fast
        let skew = setup.skewTime(priority: BenchmarkSetup.backupPriority)
        let row = "2 check failure, VRRPv3 0.1 s, fall 1"
        for rep in 0..<options.repetitions {
            for daemon in order(rep) {
                let interval = daemon == .ipfailover ? 0.1 : 1.0
                let run = FailoverRun(setup: setup, event: .checkFailure, daemon: daemon, checkInterval: interval, binary: binary, port: port)
                do {
                    let s = try await run.run()
                    let note = "check interval ipf 0.1 s (target ≤ \(Results.format(ms(0.1 + skew) + 5)) ms), keepalived 1 s (its minimum; bound \(Results.format(ms(1 + skew))) ms)"
                    results.add(row: row, "check starts failing → new master answers (probe)", unit: "ms", daemon, ms(s.recovery), note: note)
                    results.add(row: row, "the same − (interval × fall + skew)", unit: "ms", daemon, ms(s.recovery - interval - skew))
                    results.add(row: row, "client outage (probe, 2 ms)", unit: "ms", daemon, ms(s.outage))
                    log("\(row) \(daemon) #\(rep + 1): detection+takeover \(Results.format(ms(s.recovery))) ms, outage \(Results.format(ms(s.outage))) ms")
                } catch {
                    results.add(row: row, "client outage (probe, 2 ms)", unit: "ms", daemon, nil)
                    log("\(row) \(daemon) #\(rep + 1) FAILED: \(error)")
                }
            }
        }
    }

    // Row 3: steady state of the master node with 255 instances.
    if options.rows.contains(3) {
        for setup in [BenchmarkSetup.v3Fast, .v2Slow] {
            let row = "3 steady state, 255 instances, \(setup.label), master node"
            for rep in 0..<options.repetitions {
                for daemon in order(rep) {
                    let run = SteadyStateRun(setup: setup, daemon: daemon, window: .milliseconds(Int64(options.window * 1000)), binary: binary, port: port)
                    do {
                        let s = try await run.run()
                        results.add(row: row, "CPU over \(Results.format(options.window)) s", unit: "% of a core", daemon, s.cpuFraction * 100,
                                    note: "on-CPU time of the process tree's threads")
                        results.add(row: row, "peak RSS (VmHWM, sum of processes)", unit: "MiB", daemon, s.peakRSS / 1_048_576)
                        log("\(row) \(daemon) #\(rep + 1): CPU \(Results.format(s.cpuFraction * 100)) %, RSS \(Results.format(s.peakRSS / 1_048_576)) MiB")
                    } catch {
                        results.add(row: row, "CPU over \(Results.format(options.window)) s", unit: "% of a core", daemon, nil)
                        log("\(row) \(daemon) #\(rep + 1) FAILED: \(error)")
                    }
                }
            }
        }
    }

    // Row 4: 1,000 VIPs in one group (row 5: the same with IPv6 VIPs that share one
    // solicited-node group, which takes the kernel's quadratic multicast-list cost out).
    for (rowNumber, layout) in [(4, BenchmarkSetup.IPv6Layout.sequential), (5, .sharedSolicitedNode)] where options.rows.contains(rowNumber) {
        let setup = BenchmarkSetup.v3Fast
        let row = rowNumber == 4 ? "4 1,000 VIPs in one group, VRRPv3 0.1 s, link down"
            : "5 1,000 VIPs in one group, IPv6 VIPs sharing one solicited-node group, VRRPv3 0.1 s, link down"
        for rep in 0..<options.repetitions {
            for daemon in order(rep) {
                let run = ManyVIPsRun(setup: setup, daemon: daemon, layout: layout, binary: binary, port: port)
                do {
                    let s = try await run.run()
                    results.add(row: row, "takeover → last VIP answered (probe, 10 ms)", unit: "ms", daemon, s.last.map(ms),
                                note: "1 IPv4 VIP + 999 IPv6 in virtual_ipaddress_excluded; probe samples 101 of them; target ≤ 50 ms; failed = not all sampled answered within 60 s")
                    results.add(row: row, "takeover → 90 % of VIPs answered", unit: "ms", daemon, s.ninetyPercent.map(ms))
                    results.add(row: row, "takeover → first VIP answered", unit: "ms", daemon, s.first.map(ms))
                    results.add(row: row, "takeover → first unsolicited NA (wire)", unit: "ms", daemon, s.firstNA.map(ms))
                    results.add(row: row, "takeover → last unsolicited NA of the first burst (wire)", unit: "ms", daemon, s.lastNA.map(ms))
                    results.add(row: row, "sampled VIPs (of 101) answered by the new master within 60 s", unit: "count", daemon, Double(s.answered))
                    log("\(row) \(daemon) #\(rep + 1): answered \(s.answered), first \(s.first.map { Results.format(ms($0)) } ?? "-") ms, last \(s.last.map { Results.format(ms($0)) } ?? "-") ms, 90 % \(s.ninetyPercent.map { Results.format(ms($0)) } ?? "-") ms, NAs on the wire \(s.firstNA.map { Results.format(ms($0)) } ?? "-")…\(s.lastNA.map { Results.format(ms($0)) } ?? "-") ms, addresses on b \(s.addressesOnB), settled after \(Results.format(s.settle)) s")
                } catch {
                    results.add(row: row, "takeover → last VIP answered (probe, 10 ms)", unit: "ms", daemon, nil)
                    log("\(row) \(daemon) #\(rep + 1) FAILED: \(error)")
                }
            }
        }
    }

    if options.rows.contains(6) {
        await clusterRow("6 whole cluster, 3 nodes, 255 instances, VRRPv3 0.1 s, shared 1 s check + notify", setup: .v3Fast, instances: 255, scripts: true)
        await clusterRow("6 whole cluster, 3 nodes, 255 instances, VRRPv3 0.1 s, no scripts", setup: .v3Fast, instances: 255, scripts: false)
        await clusterRow("6 whole cluster, 3 nodes, 255 instances, VRRPv2 1 s, shared 1 s check + notify", setup: .v2Slow, instances: 255, scripts: true)
    }
    if options.rows.contains(7) {
        for count in options.instanceCounts where !(count == 255 && options.rows.contains(6)) {
            await clusterRow("7 scaling, 3 nodes, \(count) instance\(count == 1 ? "" : "s"), VRRPv3 0.1 s, check + notify",
                             setup: .v3Fast, instances: count, scripts: true)
        }
    }
}

// SIGINT or SIGTERM stops the benchmark: the lab run in progress is cancelled and
// removes its daemons and namespaces, nothing further starts, no results are written.
let rowsTask = Task { @MainActor in await runRows() }
let signals = await UnixSignalsSequence(trapping: .sigint, .sigterm)
var stopSignal: UnixSignal?
let signalWatch = Task { @MainActor in
    for await signal in signals {
        stopSignal = signal
        log("\(signal): stopping; the lab in use is being removed")
        rowsTask.cancel()
        return
    }
}
await rowsTask.value
signalWatch.cancel()
if let stopSignal {
    log("stopped by \(stopSignal); no results written")
    exit(130)
}

// Machine and date.
func commandOutput(_ args: [String]) async -> String {
    ((try? await LabCommand.run(args, allowFailure: true))?.standardOutput ?? "").split(separator: "\n").first.map(String.init) ?? ""
}
let cpuModel = (ProcessUsage.read("/proc/cpuinfo") ?? "").split(separator: "\n")
    .first { $0.hasPrefix("model name") }.map { String($0.split(separator: ":", maxSplits: 1).last ?? "").trimmingPrefix(" ") }
    .map(String.init) ?? "unknown"
let machine = [
    "nproc": await commandOutput(["nproc"]),
    "kernel": await commandOutput(["uname", "-r"]),
    "cpu": cpuModel,
    "keepalived": await commandOutput(["sh", "-c", "keepalived --version 2>&1 | head -1"]),
]
let date = await commandOutput(["date", "-u", "+%Y-%m-%d %H:%M UTC"])
let optionText = "repetitions \(options.repetitions), rows \(options.rows.sorted()), window \(options.window) s"
let json = results.json(machine: machine, date: date, options: optionText)
if let slash = options.output.lastIndex(of: "/") { mkdir(String(options.output[..<slash]), 0o755) }
try LabFile.write(json, to: options.output)
var table = "Date: \(date). Machine: \(machine["nproc"]!) CPUs (`nproc`), \(machine["cpu"]!), kernel \(machine["kernel"]!), \(machine["keepalived"]!). \(optionText).\n\n"
table += results.markdown()
if let md = options.markdown { try LabFile.write(table, to: md) }
if let chart = options.chart, !series.isEmpty {
    try LabFile.write(series.svg(title: "CPU per node against instance count, VRRPv3 0.1 s, shared check + notify", caption: date),
                      to: chart)
    log("wrote \(chart)")
}
print(table)
log("wrote \(options.output)")
