import Glibc
import Testing
@testable import StatusServer

private actor FakeSource: StatusSource {
    var healthy = true
    func setHealthy(_ value: Bool) { healthy = value }
    func isHealthy() -> Bool { healthy }
    func statusJSON() -> [UInt8] { Array(#"{"instances":[]}"#.utf8) }
    func metricsText() -> [UInt8] { Array("keepalived_advert_sent_total 3\n".utf8) }
}

/// A blocking HTTP/1.0 request over loopback; returns the raw response text.
private func rawRequest(port: Int, _ request: String) throws -> String {
    let client = try LoopbackClient(port: port)
    _ = client.send(request)
    return client.readToEnd().bytes
}


@Suite struct StatusServerTests {
    @Test func routerServesTheThreeEndpointsAndRefusesWrites() async {
        let router = StatusRouter(source: FakeSource())
        #expect(await router.respond(method: "GET", uri: "/healthz").status == 200)
        #expect(await router.respond(method: "GET", uri: "/status").contentType == "application/json")
        #expect(await router.respond(method: "GET", uri: "/metrics?x=1").body == Array("keepalived_advert_sent_total 3\n".utf8))
        #expect(await router.respond(method: "GET", uri: "/nope").status == 404)
        let post = await router.respond(method: "POST", uri: "/status")
        #expect(post.status == 405)
        #expect(post.headers.first?.1 == "GET, HEAD")
    }

    @Test func healthzIs503WhenADriverIsDead() async {
        let source = FakeSource()
        await source.setHealthy(false)
        #expect(await StatusRouter(source: source).respond(method: "GET", uri: "/healthz").status == 503)
    }

    @Test func listenerAnswersOverLoopbackOnly() async throws {
        let server = try await StatusHTTPServer.start(port: 0, source: FakeSource())
        #expect(server.localAddress.ipAddress == "127.0.0.1")
        let port = server.port
        let response = try await Task.detached { try rawRequest(port: port, "GET /metrics HTTP/1.0\r\n\r\n") }.value
        #expect(response.hasPrefix("HTTP/1.0 200 OK"))
        #expect(response.contains("Content-Type: text/plain; version=0.0.4"))
        // The daemon's metrics, then the endpoint's own.
        #expect(response.contains("\r\n\r\nkeepalived_advert_sent_total 3\n# HELP ipfailover_status_connections_open "))
        let health = try await Task.detached { try rawRequest(port: port, "GET /healthz HTTP/1.0\r\n\r\n") }.value
        #expect(health.hasSuffix("ok\n"))
        await server.shutdown()
    }

    @Test func bindFailureNamesTheAddress() async throws {
        let first = try await StatusHTTPServer.start(port: 0, source: FakeSource())
        await #expect(throws: StatusHTTPServer.Error.self) {
            // SO_REUSEADDR does not allow two listeners on one port.
            _ = try await StatusHTTPServer.start(port: first.port, source: FakeSource())
        }
        await first.shutdown()
    }
}
