/// What the status server asks of the daemon: the body for each read-only
/// endpoint. The HTTP layer knows nothing about VRRP; the runtime renders the
/// content (JSON status, Prometheus text) from its live state.
public protocol StatusSource: Sendable {
    /// `/healthz`: true when every instance's driver is alive.
    func isHealthy() async -> Bool
    /// `/status`: the JSON document.
    func statusJSON() async -> [UInt8]
    /// `/metrics`: Prometheus text exposition format 0.0.4.
    func metricsText() async -> [UInt8]
}

/// One HTTP answer, decided without touching the network.
public struct StatusResponse: Sendable, Equatable {
    /// HTTP status code.
    public var status: Int
    /// `Content-Type` header.
    public var contentType: String
    /// Response body.
    public var body: [UInt8]
    /// Extra headers (e.g. `Allow` on 405).
    public var headers: [(String, String)]

    public init(status: Int, contentType: String, body: [UInt8], headers: [(String, String)] = []) {
        self.status = status
        self.contentType = contentType
        self.body = body
        self.headers = headers
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.status == rhs.status && lhs.contentType == rhs.contentType && lhs.body == rhs.body
            && lhs.headers.map { "\($0.0): \($0.1)" } == rhs.headers.map { "\($0.0): \($0.1)" }
    }
}

/// Routes a request to an endpoint. Read-only: anything but GET/HEAD is 405.
public struct StatusRouter: Sendable {
    public let source: any StatusSource
    /// The HTTP layer's own counters, appended to `/metrics`.
    public let counters: StatusServerCounters?

    public init(source: any StatusSource, counters: StatusServerCounters? = nil) {
        self.source = source
        self.counters = counters
    }

    /// The paths served, for the index and for 404 bodies.
    public static let paths = ["/healthz", "/status", "/metrics"]

    public func respond(method: String, uri: String) async -> StatusResponse {
        guard method == "GET" || method == "HEAD" else {
            return StatusResponse(status: 405, contentType: "text/plain; charset=utf-8",
                                  body: Array("read-only endpoint: use GET\n".utf8),
                                  headers: [("Allow", "GET, HEAD")])
        }
        let path = uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? uri
        switch path {
        case "/healthz":
            let healthy = await source.isHealthy()
            return StatusResponse(status: healthy ? 200 : 503, contentType: "text/plain; charset=utf-8",
                                  body: Array((healthy ? "ok\n" : "unhealthy\n").utf8))
        case "/status":
            return StatusResponse(status: 200, contentType: "application/json", body: await source.statusJSON())
        case "/metrics":
            return StatusResponse(status: 200, contentType: "text/plain; version=0.0.4; charset=utf-8",
                                  body: await source.metricsText() + (counters?.metricsText() ?? []))
        default:
            return StatusResponse(status: 404, contentType: "text/plain; charset=utf-8",
                                  body: Array("not found; endpoints: \(Self.paths.joined(separator: " "))\n".utf8))
        }
    }
}
