import ArgumentParser
import FailoverRuntime
import FoundationEssentials
import Glibc

/// `ipfailover status`: the daemon's `/status` as a table.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show each instance's state, priority, master and VIPs from a running daemon's status endpoint.")

    @Option(name: .long, help: "The daemon's status endpoint HOST:PORT (default: $IPFAILOVER_STATUS_ADDRESS, else 127.0.0.1:63000).")
    var statusAddress: String?

    @Flag(name: .long, help: "Print the raw JSON document instead of a table.")
    var json = false

    func run() throws {
        let environment = ProcessEnvironment.current()
        let (host, port) = try StatusAddress.parse(statusAddress ?? environment["IPFAILOVER_STATUS_ADDRESS"])
        guard let host else { throw ValidationError("the status endpoint is off; pass --status-address HOST:PORT") }
        guard let body = StatusClient.get(host: host, port: port, path: "/status") else {
            printError("no daemon answers on http://\(host):\(port)/status")
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

/// A blocking HTTP/1.0 GET.
enum StatusClient {
    static func get(host: String, port: Int, path: String) -> [UInt8]? {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &result) == 0, let info = result else { return nil }
        defer { freeaddrinfo(result) }
        let fd = socket(info.pointee.ai_family, info.pointee.ai_socktype, info.pointee.ai_protocol)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        guard connect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 else { return nil }
        let request = "GET \(path) HTTP/1.0\r\nHost: \(host)\r\n\r\n"
        _ = request.withCString { send(fd, $0, strlen($0), 0) }
        var response: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16384)
        while true {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 { break }
            response += buffer[0..<n]
        }
        let separator: [UInt8] = [13, 10, 13, 10]
        guard response.starts(with: Array("HTTP/1.".utf8)), response.count > 12,
              response[9...11].elementsEqual("200".utf8),
              let split = response.firstRange(of: separator) else { return nil }
        return Array(response[split.upperBound...])
    }
}
