import ArgumentParser
import FailoverRuntime
import FailoverTimeline
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif
import LinuxNetworking
import UnixSignals

/// `ipfailover status`: the daemon's `/status` as a table, its recent transitions
/// (`--history`), or both redrawn as they change (`--watch`).
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show each instance's state, priority, master and VIPs from a running daemon's status endpoint.",
        discussion: """
        --history prints each instance's recent transitions: time (UTC), instance, from→to, reason and the \
        notify calls they caused. --watch polls every --interval seconds and redraws when anything changed \
        until interrupted (Ctrl-C exits 0); when stdout is not a terminal each changed view is printed once.
        """)

    @Option(name: .long, help: "The daemon's status endpoint HOST:PORT (default: $IPFAILOVER_STATUS_ADDRESS, else 127.0.0.1:63000).")
    var statusAddress: String?

    @Flag(name: .long, help: "Print the raw JSON document instead of a table.")
    var json = false

    @Flag(name: .long, help: "Print the recent transitions (time, instance, from→to, reason, notify results).")
    var history = false

    @Flag(name: .long, help: "Redraw whenever the status changes, until interrupted.")
    var watch = false

    @Option(name: .long, help: "Seconds between polls with --watch.")
    var interval: Double = 1

    @Option(name: .long, help: "Give up after this many seconds (connecting and reading together).")
    var timeout: Double = 5

    /// A `/status` of 255 instances is a few hundred kilobytes; anything far larger
    /// is not our daemon.
    static let maxResponseBytes = BoundedHTTPGet.defaultMaxResponseBytes

    /// ANSI: cursor home, clear the screen.
    static let clearScreen = "\u{1B}[H\u{1B}[2J"

    func validate() throws {
        guard timeout > 0, timeout.isFinite else { throw ValidationError("--timeout \(timeout) is not a positive number of seconds") }
        guard interval >= 0.05, interval <= 3600, interval.isFinite else {
            throw ValidationError("--interval \(interval) is not a number of seconds from 0.05 to 3600")
        }
        if json, history || watch { throw ValidationError("--json cannot be combined with --history or --watch") }
    }

    func run() async throws {
        let environment = ProcessEnvironment.current()
        let (host, port) = try StatusAddress.parse(statusAddress ?? environment["IPFAILOVER_STATUS_ADDRESS"])
        guard let host else { throw ValidationError("the status endpoint is off; pass --status-address HOST:PORT") }
        if watch {
            await watchLoop(host: host, port: port)
            return
        }
        let body: [UInt8]
        do {
            body = try fetch(host: host, port: port)
        } catch {
            printError("no status from the daemon: \(error)")
            throw ExitCode(1)
        }
        if json {
            print(String(decoding: body, as: UTF8.self), terminator: "")
            return
        }
        print(try view(of: body), terminator: "")
    }

    private func fetch(host: String, port: Int) throws(BoundedHTTPGet.Failure) -> [UInt8] {
        try BoundedHTTPGet.get(host: host, port: port, path: "/status", deadline: .seconds(timeout),
                               maxResponseBytes: Self.maxResponseBytes)
    }

    /// The table, or the history with `--history`.
    private func view(of body: [UInt8]) throws -> String {
        let status = try JSONDecoder().decode(DaemonStatus.self, from: Data(body))
        return history ? StatusHistory.render(status) : StatusTable.render(status, runs: !watch)
    }

    /// Polls until SIGINT/SIGTERM: a changed view is drawn again (on a terminal over
    /// the last one; elsewhere printed once more, so a log or pipe gets each state).
    /// The signals are trapped, so an interrupt ends the loop cleanly (exit 0) after
    /// the poll in progress (at most `--timeout`) instead of killing the process mid-line.
    private func watchLoop(host: String, port: Int) async {
        let signals = await UnixSignalsSequence(trapping: .sigint, .sigterm)
        await withTaskGroup(of: Void.self) { group in
            group.addTask { for await _ in signals { return } }
            group.addTask { await poll(host: host, port: port) }
            await group.next()
            group.cancelAll()
        }
    }

    private func poll(host: String, port: Int) async {
        let terminal = isatty(STDOUT_FILENO) == 1
        var last: String?
        while !Task.isCancelled {
            let text: String
            do {
                text = try view(of: fetch(host: host, port: port))
            } catch {
                text = "no status from the daemon: \(error)\n"
            }
            if text != last, !Task.isCancelled {
                if terminal {
                    print(Self.clearScreen + text, terminator: "")
                } else {
                    print((last == nil ? "" : "\n") + "--- \(UTCTime.timestamp(Self.wallClockNow()))\n" + text, terminator: "")
                }
                fflush(nil)  // every stream: a pipe or file gets the view now
                last = text
            }
            try? await Task.sleep(for: .seconds(interval))
        }
    }

    static func wallClockNow() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }
}

/// The transitions `ipfailover status --history` prints: every instance's, by time.
enum StatusHistory {
    static func render(_ status: DaemonStatus) -> String {
        let records = status.instances.flatMap { instance in instance.history.map { (instance.name, $0) } }
            .sorted { ($0.1.time, $0.1.sequence) < ($1.1.time, $1.1.sequence) }
        guard !records.isEmpty else { return "no transitions recorded\n" }
        var rows = [["TIME (UTC)", "INSTANCE", "CHANGE", "REASON", "NOTIFY"]]
        for (name, r) in records {
            let reason = r.detail.map { "\(r.reason): \($0)" } ?? r.reason
            rows.append([UTCTime.timestamp(r.time), name, "\(r.from)→\(r.to)", reason, notifies(r)])
        }
        return StatusTable.table(rows)
    }

    /// `notify.sh exit 0 (12 ms); fifo /run/ka.fifo written`, `-` for none (yet).
    static func notifies(_ record: TransitionRecord) -> String {
        guard !record.notifies.isEmpty else { return "-" }
        var parts = record.notifies.map { call -> String in
            let words = call.command.split(separator: " ")
            let program = words.first.map { String($0.split(separator: "/").last ?? $0) } ?? "-"
            let command = words.first == "fifo" ? call.command : program
            let duration = call.durationSeconds.map { " (\(Int(($0 * 1000).rounded())) ms)" } ?? ""
            let stderr = !call.succeeded && !call.stderrTail.isEmpty ? " stderr: " + call.stderrTail.joined(separator: " | ") : ""
            return "\(command) \(call.result)\(duration)\(stderr)"
        }
        if record.notifiesNotStored > 0 { parts.append("+\(record.notifiesNotStored) more") }
        return parts.joined(separator: "; ")
    }
}

/// The table `ipfailover status` prints.
enum StatusTable {
    /// `runs` false (`--watch`): without the run counter, which changes with every
    /// check run and would redraw a table whose states did not change.
    static func render(_ status: DaemonStatus, runs: Bool = true) -> String {
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
            if !runs { scriptRows = scriptRows.map { row in row.enumerated().filter { $0.offset != 2 }.map(\.element) } }
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
