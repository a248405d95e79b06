import ArgumentParser
import FailoverConfig
import FailoverTimeline
import LinuxNetworking

#if canImport(Glibc)
import Glibc
#endif

/// `ipfailover timeline`: one or more nodes' `/status` — live or saved — as an SVG
/// picture of their states over time.
struct TimelineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "timeline",
        abstract: "Draw nodes' /status (live HOST:PORT or saved JSON files) as an SVG timeline.",
        discussion: """
        Each SOURCE is a saved /status document (a file), or a status endpoint: HOST:PORT or \
        http://HOST:PORT[/status]. One lane per node and instance shows MASTER/BACKUP/FAULT over time \
        (from each instance's transition history), check failures (▼), notify calls (dots: green ok, \
        red failed) and dashed lines where the instance's MASTER moved to another node. Hover for details. \
        The SVG needs nothing else: open it in a browser.
        """)

    @Argument(help: "Saved /status JSON files or HOST:PORT / http://HOST:PORT status endpoints.")
    var sources: [String]

    @Option(name: .shortAndLong, help: "Where to write the SVG (default: standard output).")
    var output: String?

    @Option(name: .long, help: "Lane name of each source, in order (default: HOST:PORT or the file name).")
    var label: [String] = []

    @Option(name: .long, help: "The picture's heading.")
    var title = "ipfailover timeline"

    @Option(name: .long, help: "Give up on a live source after this many seconds.")
    var timeout: Double = 5

    func validate() throws {
        guard !sources.isEmpty else { throw ValidationError("name at least one SOURCE (a /status file or HOST:PORT)") }
        guard label.isEmpty || label.count == sources.count else {
            throw ValidationError("--label given \(label.count) times for \(sources.count) sources: give one per source, or none")
        }
        guard timeout > 0, timeout.isFinite else { throw ValidationError("--timeout \(timeout) is not a positive number of seconds") }
    }

    func run() throws {
        var documents: [TimelineSource] = []
        for (i, source) in sources.enumerated() {
            do {
                let (name, body) = try Self.load(source, timeout: timeout)
                let document = try TimelineDocument.decode(body, source: source)
                documents.append(TimelineSource(label: label.isEmpty ? name : label[i], document: document))
            } catch {
                printError("ipfailover timeline: \(error)")
                throw ExitCode(1)
            }
        }
        let svg = TimelineRenderer(title: title).svg(documents)
        guard let output else {
            print(svg, terminator: "")
            return
        }
        do {
            try AtomicFile.write(Array(svg.utf8), to: output)
        } catch {
            printError("ipfailover timeline: \(error)")
            throw ExitCode(1)
        }
        print(output)
    }

    /// A source's default lane name and bytes: a file when one exists at the path (or
    /// the text cannot be an endpoint), else a GET of `/status`.
    static func load(_ source: String, timeout: Double) throws -> (String, [UInt8]) {
        let endpoint = Self.endpoint(source)
        if endpoint == nil || access(source, F_OK) == 0 {
            switch FileConfigSource.read(source, limit: BoundedHTTPGet.defaultMaxResponseBytes) {
            case .success(let text):
                let file = String(source.split(separator: "/").last ?? Substring(source))
                return (file.hasSuffix(".json") ? String(file.dropLast(5)) : file, Array(text.utf8))
            case .failure(let failure):
                throw TimelineDocument.Invalid(description: "\(failure) (and '\(source)' is not HOST:PORT)")
            }
        }
        let (host, port, path) = endpoint!
        let body = try BoundedHTTPGet.get(host: host, port: port, path: path, deadline: .seconds(timeout))
        return (host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)", body)
    }

    /// `HOST:PORT`, `[V6]:PORT` or `http://HOST:PORT[/path]` (path default `/status`).
    static func endpoint(_ text: String) -> (host: String, port: Int, path: String)? {
        var rest = Substring(text)
        if rest.hasPrefix("http://") { rest = rest.dropFirst(7) }
        var path = "/status"
        if let slash = rest.firstIndex(of: "/") {
            path = String(rest[slash...])
            rest = rest[..<slash]
            if path == "/" { path = "/status" }
        }
        guard let colon = rest.lastIndex(of: ":"), let port = Int(rest[rest.index(after: colon)...]),
              (1...65535).contains(port) else { return nil }
        var host = String(rest[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { return nil }
        return (host, port, path)
    }
}
