import Glibc
import NIOCore
import NIOPosix
import Synchronization
import Testing
@testable import StatusServer

/// A status source whose `/metrics` body has a chosen size and takes a chosen
/// time, and which counts how often it was asked.
private final class CountingSource: StatusSource {
    let metricsBody: [UInt8]
    let delay: Duration
    let calls = Atomic<Int>(0)

    init(metricsBytes: Int = 32, delay: Duration = .zero) {
        metricsBody = Array(repeating: UInt8(ascii: "x"), count: max(0, metricsBytes - 1)) + [10]
        self.delay = delay
    }

    func isHealthy() async -> Bool { true }
    func statusJSON() async -> [UInt8] { Array(#"{"instances":[]}"#.utf8) }
    func metricsText() async -> [UInt8] {
        calls.add(1, ordering: .relaxed)
        if delay > .zero { try? await Task.sleep(for: delay) }
        return metricsBody
    }
}

/// Limits short enough for a test, long enough for a loaded machine.
private func testLimits(maxConnections: Int = 16, idle: TimeAmount = .seconds(30), header: TimeAmount = .seconds(30),
                        body: TimeAmount = .seconds(30), write: TimeAmount = .seconds(30)) -> StatusServerLimits {
    StatusServerLimits(maxConnections: maxConnections, idleTimeout: idle, headerTimeout: header, bodyTimeout: body,
                       writeTimeout: write, maxHeaderBytes: 8192, maxBodyBytes: 8192)
}

private func startServer(_ source: any StatusSource = CountingSource(), limits: StatusServerLimits) async throws -> StatusHTTPServer {
    try await StatusHTTPServer.start(port: 0, source: source, group: MultiThreadedEventLoopGroup.singleton, limits: limits)
}

/// Polls `condition` every 20 ms until it holds or `timeout` passes.
private func eventually(timeout: Duration = .seconds(10), _ condition: () -> Bool) async -> Bool {
    let end = ContinuousClock.now + timeout
    while ContinuousClock.now < end {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return condition()
}

@Suite(.serialized) struct StatusServerLimitTests {
    @Test("Connections past the cap are closed at once and counted; the held ones are still served")
    func connectionCapRefusesTheExcess() async throws {
        let server = try await startServer(limits: testLimits(maxConnections: 2))
        let port = server.port
        let held = try [LoopbackClient(port: port), LoopbackClient(port: port)]
        #expect(await eventually { server.counters.snapshot.open == 2 })
        let extra = try LoopbackClient(port: port, receiveTimeout: .seconds(10))
        let end = try await blocking { extra.readToEnd() }
        #expect(end.bytes.isEmpty)
        #expect(end.end != .timedOut, "the connection over the cap stayed open")
        #expect(server.counters.snapshot.refused == 1)
        // The two within the cap are unaffected, and /metrics reports the refusal.
        let answer = try await blocking { () -> String in
            held[0].send("GET /metrics HTTP/1.0\r\n\r\n")
            return held[0].readToEnd().bytes
        }
        #expect(answer.contains("ipfailover_status_connections_refused_total 1\n"), "\(answer)")
        #expect(answer.contains("ipfailover_status_connections_max 2\n"))
        _ = held[1]
        await server.shutdown()
    }

    @Test("A connection without a request is closed after the idle timeout")
    func idleConnectionIsClosed() async throws {
        let server = try await startServer(limits: testLimits(idle: .milliseconds(300)))
        let client = try LoopbackClient(port: server.port)
        let end = try await blocking { client.readToEnd() }
        #expect(end.end == .closed)
        #expect(server.counters.snapshot.timedOut[.idle] == 1)
        #expect(await eventually { server.counters.snapshot.open == 0 })
        await server.shutdown()
    }

    @Test("Slowloris: headers trickled one byte at a time are cut off by the header timeout")
    func slowHeadersAreCutOff() async throws {
        // The idle timeout is long: only the header timeout can close this one.
        let server = try await startServer(limits: testLimits(idle: .seconds(60), header: .milliseconds(500)))
        let client = try LoopbackClient(port: server.port)
        let start = ContinuousClock.now
        let sentEverything = try await blocking { () -> Bool in
            guard client.send("GET /metrics HTTP/1.1\r\n") else { return false }
            // 20 s of one byte per 100 ms, unless the server closes first.
            for _ in 0..<200 {
                usleep(100_000)
                guard client.send("X") else { return false }
            }
            return true
        }
        #expect(!sentEverything, "the server kept reading a trickled header for 20 s")
        #expect(ContinuousClock.now - start < .seconds(15))
        #expect(server.counters.snapshot.timedOut[.header] == 1)
        await server.shutdown()
    }

    @Test("A body that stops arriving is cut off by the body timeout")
    func stalledBodyIsCutOff() async throws {
        let server = try await startServer(limits: testLimits(body: .milliseconds(300)))
        let client = try LoopbackClient(port: server.port)
        let end = try await blocking { () -> LoopbackClient.End in
            client.send("POST /status HTTP/1.1\r\nContent-Length: 100\r\n\r\n0123456789")
            return client.readToEnd().end
        }
        #expect(end == .closed)
        #expect(server.counters.snapshot.timedOut[.body] == 1)
        await server.shutdown()
    }

    @Test("A request body over the limit gets 413 and the connection closes")
    func oversizedBodyIsRefused() async throws {
        let server = try await startServer(limits: testLimits())
        let client = try LoopbackClient(port: server.port)
        let answer = try await blocking { () -> (String, LoopbackClient.End) in
            client.send("POST /status HTTP/1.1\r\nContent-Length: 1000000\r\n\r\n" + String(repeating: "b", count: 9000))
            let r = client.readToEnd()
            return (r.bytes, r.end)
        }
        #expect(answer.0.hasPrefix("HTTP/1.1 413"), "\(answer.0.prefix(200))")
        #expect(answer.0.contains("Connection: close"))
        #expect(answer.1 == .closed)
        #expect(server.counters.snapshot.rejected[.tooLarge] == 1)
        await server.shutdown()
    }

    @Test("A header block over the limit gets 431 and the connection closes")
    func oversizedHeaderIsRefused() async throws {
        let server = try await startServer(limits: testLimits())
        let client = try LoopbackClient(port: server.port)
        let answer = try await blocking { () -> (String, LoopbackClient.End) in
            // Never finished: without a bound the server would keep buffering it.
            client.send("GET /status HTTP/1.1\r\nX-Filler: " + String(repeating: "h", count: 20000))
            let r = client.readToEnd()
            return (r.bytes, r.end)
        }
        #expect(answer.0.hasPrefix("HTTP/1.1 431"), "\(answer.0.prefix(200))")
        #expect(answer.1 != .timedOut)
        #expect(server.counters.snapshot.rejected[.tooLarge] == 1)
        await server.shutdown()
    }

    @Test("Pipelined requests whose answers are never read: reading stops, then the write timeout closes")
    func pipelinedFloodIsNotAnsweredAhead() async throws {
        // 64 KiB answers: a few hundred fill the loopback socket buffers.
        let source = CountingSource(metricsBytes: 65536)
        let server = try await startServer(source, limits: testLimits(write: .seconds(2)))
        let client = try LoopbackClient(port: server.port)
        let request = Array("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n".utf8)
        let flood = Array(repeating: request, count: 20_000).flatMap { $0 }
        // Send what the kernel takes without blocking: once the server stops
        // reading, its receive buffer and ours fill and sending stops.
        let sent = try await blocking { () -> Int in
            var offset = 0
            var stalls = 0
            while offset < flood.count, stalls < 50 {
                let n = client.sendWithoutBlocking(Array(flood[offset...]))
                if n > 0 { offset += n; stalls = 0 } else { stalls += 1; usleep(20_000) }
            }
            return offset
        }
        // The connection is closed by the write timeout; by then the server has
        // answered only what fit into the socket buffers, not all 20,000.
        #expect(await eventually(timeout: .seconds(20)) { server.counters.snapshot.timedOut[.write] == 1 })
        let answered = source.calls.load(ordering: .relaxed)
        #expect(answered < 2_000, "answered \(answered) of \(sent / request.count) requests sent")
        #expect(await eventually { server.counters.snapshot.open == 0 })
        _ = client
        await server.shutdown()
    }

    @Test("Pipelined requests are answered one after the other, in order")
    func pipelinedRequestsAreAnsweredInOrder() async throws {
        let server = try await startServer(limits: testLimits())
        let client = try LoopbackClient(port: server.port)
        let answer = try await blocking { () -> String in
            client.send("GET /healthz HTTP/1.1\r\n\r\nGET /nope HTTP/1.1\r\n\r\nGET /metrics HTTP/1.1\r\nConnection: close\r\n\r\n")
            return client.readToEnd().bytes
        }
        let statuses = answer.ranges(of: "HTTP/1.1 ").map { answer[$0.upperBound...].prefix(3) }
        #expect(statuses == ["200", "404", "200"], "\(answer)")
        await server.shutdown()
    }

    @Test("Half-close: a client that shuts down its sending side still gets the answer, then the connection closes")
    func halfClosedClientIsAnswered() async throws {
        // A slow answer: the client's FIN arrives long before it is ready.
        let source = CountingSource(metricsBytes: 100, delay: .milliseconds(300))
        let server = try await startServer(source, limits: testLimits())
        let client = try LoopbackClient(port: server.port)
        let answer = try await blocking { () -> (String, LoopbackClient.End) in
            client.send("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
            client.shutdownSending()
            let r = client.readToEnd()
            return (r.bytes, r.end)
        }
        #expect(answer.0.hasPrefix("HTTP/1.1 200"), "\(answer.0)")
        #expect(answer.0.contains("Connection: close"))
        #expect(answer.0.contains(String(repeating: "x", count: 99)))
        #expect(answer.1 == .closed)
        #expect(await eventually { server.counters.snapshot.open == 0 })
        await server.shutdown()
    }

    @Test("The connection cap leaves the descriptor reserve free")
    func connectionCapKeepsTheReserve() {
        #expect(StatusServerLimits.connectionCap(descriptorLimit: 65536) == StatusServerLimits.defaultMaxConnections)
        #expect(StatusServerLimits.connectionCap(descriptorLimit: 1024) == 256)
        #expect(StatusServerLimits.connectionCap(descriptorLimit: 700) == 700 - StatusServerLimits.reservedDescriptors)
        #expect(StatusServerLimits.connectionCap(descriptorLimit: 100) == StatusServerLimits.minimumMaxConnections)
        #expect(StatusServerLimits.standard(descriptorLimit: 1024).maxConnections
            <= 1024 - StatusServerLimits.reservedDescriptors)
    }
}
