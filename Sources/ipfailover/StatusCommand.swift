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
