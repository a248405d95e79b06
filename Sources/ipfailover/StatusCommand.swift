import ArgumentParser
import FailoverRuntime
import FoundationEssentials
import LinuxNetworking

/// `ipfailover status`: the daemon's `/status` as a table.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show each instance's state, priority, master and VIPs from a running daemon's status endpoint.")

    @Option(name: .long, help: "The daemon's status endpoint HOST:PORT (default: $IPFAILOVER_STATUS_ADDRESS, else 127.0.0.1:63000).")
    var statusAddress: String?

    @Flag(name: .long, help: "Print the raw JSON document instead of a table.")
    var json = false

    @Option(name: .long, help: "Give up after this many seconds (connecting and reading together).")
    var timeout: Double = 5

    /// A `/status` of 255 instances is a few hundred kilobytes; anything far larger
    /// is not our daemon.
    static let maxResponseBytes = BoundedHTTPGet.defaultMaxResponseBytes

    func run() throws {
        let environment = ProcessEnvironment.current()
        let (host, port) = try StatusAddress.parse(statusAddress ?? environment["IPFAILOVER_STATUS_ADDRESS"])
        guard let host else { throw ValidationError("the status endpoint is off; pass --status-address HOST:PORT") }
        guard timeout > 0, timeout.isFinite else { throw ValidationError("--timeout \(timeout) is not a positive number of seconds") }
        let body: [UInt8]
        do {
            body = try BoundedHTTPGet.get(host: host, port: port, path: "/status", deadline: .seconds(timeout),
                                          maxResponseBytes: Self.maxResponseBytes)
        } catch {
            printError("no status from the daemon: \(error)")
            throw ExitCode(1)
        }
        if json {
            print(String(decoding: body, as: UTF8.self), terminator: "")
            return
        }
        let decoder = JSONDecoder()
        let status = try decoder.decode(DaemonStatus.self, from: Data(body))
        print(StatusTable.render(status), terminator: "")
    }
}

/// The table `ipfailover status` prints.
enum StatusTable {
    static func render(_ status: DaemonStatus) -> String {
        var rows = [["INSTANCE", "STATE", "PRIO", "BASE", "VRID", "IF", "MASTER", "VIPS", "LAST CHANGE"]]
        for i in status.instances {
            rows.append([i.name, i.state, String(i.effectivePriority), String(i.basePriority), String(i.virtualRouterID),
                         i.interface, i.masterAddress ?? "-",
                         i.virtualAddresses.map { String($0.prefix { $0 != " " }) }.joined(separator: ","),
                         i.lastTransition.map { "\($0.from)→\($0.to): \($0.reason)" } ?? "-"])
        }
        var out = table(rows)
        if !status.scripts.isEmpty {
            var scriptRows = [["SCRIPT", "STATE", "RUNS", "FAILURES", "TIMEOUTS", "LAST FAILURE"]]
            for s in status.scripts {
                scriptRows.append([s.name, s.state, String(s.runs), String(s.failures), String(s.timeouts), s.lastFailure ?? "-"])
            }
            out += "\n" + table(scriptRows)
        }
        return out
    }

    static func table(_ rows: [[String]]) -> String {
        let widths = (0..<(rows.first?.count ?? 0)).map { c in rows.map { $0[c].count }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { c, cell in c == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[c] - cell.count) }
                .joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
    }
}
