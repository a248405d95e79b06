import FailoverLab
import Glibc
import LinuxNetworking
import Synchronization
import Testing
import VRRPWire

/// Abuse of a real daemon's status endpoint — 10,000 idle connections, a
/// slowloris, 200,000 pipelined requests whose answers are never read — must
/// leave its memory and descriptor count flat and its adverts on schedule.
@Suite(.serialized, .enabled(if: LabRequirements.shouldRun(["ip"]), "needs root and iproute2"))
struct StatusFloodTests {
    /// The default cap (`StatusServerLimits.defaultMaxConnections`) at the lab's descriptor limit.
    static let connectionCap = 256

    @Test("10,000 idle connections, a slowloris and a pipelined flood: the master keeps its adverts, RSS and fds stay flat")
    func statusEndpointAbuseLeavesFailoverAlone() async throws {
        try LabRequirements.require(["ip"])
        let ownLimit = ProcessProbe.raiseOwnDescriptorLimit(atLeast: 12_000)
        try #require(ownLimit >= 10_500, "this test opens 10,000 sockets; RLIMIT_NOFILE hard limit is \(ownLimit)")
        try await Lab.with(nodes: ["a", "b"]) { lab in
            let h = DaemonHarness(lab: lab)
            let a = lab.node("a"), b = lab.node("b")
            let (pa, _) = try await h.startPair()
            let pid = pa.pid
            let port = UInt16(DaemonHarness.statusPort)
            // Let start-up allocations settle before the baseline.
            try await Task.sleep(for: .seconds(1))
            let sentBefore = try #require(await h.status(of: a)?.instances.first?.counters?["advert_sent"])
            let bBefore = try #require(await h.status(of: b)?.instances.first?.counters)
            let baseline = (rss: ProcessProbe.residentKiB(pid), fds: ProcessProbe.openDescriptors(pid))
            let started = ContinuousClock.now

            // b watches a throughout: still BACKUP, a still its master.
            let watch = Task { () -> [String] in
                var problems: [String] = []
                while !Task.isCancelled {
                    if let s = await h.status(of: b)?.instances.first,
                       s.state != "BACKUP" || s.masterAddress != a.ipv4.description {
                        problems.append("b: \(s.state), master \(s.masterAddress ?? "-")")
                    }
                    try? await Task.sleep(for: .milliseconds(250))
                }
                return problems
            }
            // The daemon's peak descriptors and memory while under attack.
            let peak = Mutex((rss: baseline.rss, fds: baseline.fds))
            let sampler = Task {
                while !Task.isCancelled {
                    let now = (rss: ProcessProbe.residentKiB(pid), fds: ProcessProbe.openDescriptors(pid))
                    peak.withLock { $0 = (max($0.rss, now.rss), max($0.fds, now.fds)) }
                    try? await Task.sleep(for: .milliseconds(50))
                }
            }

            // Slowloris: 20 connections, opened first so that each holds a slot,
            // then one header byte per second each.
            let slowClients = try await lab.inNamespace(a.namespace) { () throws -> [Int32] in
                try Self.startSlowloris(port: port, connections: 20)
            }
            let slowloris = Task { try await DedicatedThread.run { Self.trickle(slowClients, for: .seconds(30)) } }

            // 10,000 idle connections.
            let idleStart = ContinuousClock.now
            let (idle, closedByServer) = try await Self.connectPastCap(lab, from: a, port: port, count: 10_000,
                                                                       cap: Self.connectionCap)
            let idleTook = ContinuousClock.now - idleStart
            let duringIdle = (rss: ProcessProbe.residentKiB(pid), fds: ProcessProbe.openDescriptors(pid))
            for fd in idle { close(fd) }

            // 200,000 pipelined GET /metrics, answers never read.
            let flood = try await lab.inNamespace(a.namespace) { () throws -> (fd: Int32, requests: Int) in
                try Self.pipelinedFlood(port: port, requests: 200_000, stallAfter: .seconds(2))
            }
            // Answers left unread for a while: a server that kept answering would grow.
            try await Task.sleep(for: .seconds(5))
            let duringFlood = (rss: ProcessProbe.residentKiB(pid), fds: ProcessProbe.openDescriptors(pid))
            close(flood.fd)

            let slow = try await slowloris.value
            sampler.cancel()
            watch.cancel()
            let problems = await watch.value
            // Closed connections drain; the endpoint answers again.
            var after = (rss: ProcessProbe.residentKiB(pid), fds: ProcessProbe.openDescriptors(pid))
            let drainEnd = ContinuousClock.now + .seconds(10)
            while after.fds > baseline.fds + 8, ContinuousClock.now < drainEnd {
                try await Task.sleep(for: .milliseconds(100))
                after = (ProcessProbe.residentKiB(pid), ProcessProbe.openDescriptors(pid))
            }
            let elapsed = ContinuousClock.now - started
            let sentAfter = try #require(await h.status(of: a)?.instances.first?.counters?["advert_sent"])
            let bAfter = try #require(await h.status(of: b)?.instances.first?.counters)
            let metrics = await h.get("/metrics", on: a) ?? ""
            let highest = peak.withLock { $0 }

            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            let report = """
                baseline RSS \(baseline.rss) KiB, fds \(baseline.fds); \
                10k idle: \(closedByServer) closed by the server within \(idleTook), RSS \(duringIdle.rss) KiB, fds \(duringIdle.fds); \
                flood: \(flood.requests) requests sent before the server stopped reading, \
                RSS \(duringFlood.rss) KiB, fds \(duringFlood.fds); \
                slowloris: \(slow.closed)/20 closed after \(slow.seconds) s; \
                peak RSS \(highest.rss) KiB, fds \(highest.fds); after: RSS \(after.rss) KiB, fds \(after.fds); \
                adverts sent \(sentAfter - sentBefore) in \(seconds) s
                """
            print("status flood: \(report)")
            #expect(problems.isEmpty, "\(problems.prefix(5)) — \(report)")
            #expect(pa.exitStatusIfEnded == nil, "the daemon exited: \(pa.standardError.suffix(2000))")
            #expect(bAfter["become_master"] == bBefore["become_master"], "b took over — \(report)")
            // 10 adverts/s; half of that allows for a loaded machine, a stall would show far less.
            #expect(Double(sentAfter - sentBefore) >= seconds * 5, "\(report)")
            // The 20 slowloris clients hold slots too.
            #expect(closedByServer >= 10_000 - Self.connectionCap, "\(report)")
            #expect(highest.fds <= baseline.fds + Self.connectionCap + 32, "\(report)")
            #expect(highest.rss <= baseline.rss + 64 * 1024, "\(report)")
            #expect(after.fds <= baseline.fds + 16, "\(report)")
            #expect(slow.closed == 20, "\(report)")
            #expect(metrics.contains("ipfailover_status_connections_refused_total "), "\(report)")
            #expect(metrics.contains("ipfailover_status_connections_timed_out_total{phase=\"header\"} 20"), "\(report)")
        }
    }

    @Test("Descriptor budget: started at 300 of 700 descriptors, run raises the limit, caps the endpoint at 188, and a check script keeps running through 3,000 connections")
    func statusConnectionsCannotStarveCheckScripts() async throws {
        try LabRequirements.require(["ip", "prlimit"])
        let ownLimit = ProcessProbe.raiseOwnDescriptorLimit(atLeast: 4_000)
        try #require(ownLimit >= 3_500, "this test opens 3,000 sockets; RLIMIT_NOFILE hard limit is \(ownLimit)")
        try await Lab.with(nodes: ["a"]) { lab in
            let h = DaemonHarness(lab: lab)
            let a = lab.node("a")
            try h.writeConfiguration("""
                global_defs {
                    router_id lab
                    enable_script_security
                    script_user root
                }
                vrrp_script chk {
                    script "/bin/true"
                    interval 1
                    fall 1
                    rise 1
                }
                vrrp_instance VI_1 {
                    state BACKUP
                    interface eth0
                    virtual_router_id 51
                    version 3
                    priority 150
                    advert_int 0.1
                    virtual_ipaddress { \(DaemonHarness.vip)/32 }
                    track_script { chk }
                }

                """, for: a)
            let pa = try h.start(a, launcher: ["prlimit", "--nofile=300:700", "--"])
            #expect(await h.waitForState("MASTER", on: a), "\(pa.standardError)")
            #expect(pa.standardError.contains("descriptor limit raised from 300 to 700"), "\(pa.standardError)")
            let metricsBefore = await h.get("/metrics", on: a) ?? ""
            // 700 − the 512 kept for scripts, sockets and netlink.
            #expect(metricsBefore.contains("ipfailover_status_connections_max 188\n"), "\(metricsBefore)")
            let runsBefore = Self.checkRuns(await h.get("/status", on: a))
            let baselineFDs = ProcessProbe.openDescriptors(pa.pid)

            let port = UInt16(DaemonHarness.statusPort)
            let (clients, refused) = try await Self.connectPastCap(lab, from: a, port: port, count: 3_000, cap: 188)
            // Held for three check intervals with the endpoint full.
            let peakFDs = ProcessProbe.openDescriptors(pa.pid)
            try await Task.sleep(for: .seconds(3))
            for fd in clients { close(fd) }

            var metrics = ""
            let answerEnd = ContinuousClock.now + .seconds(10)
            while ContinuousClock.now < answerEnd {
                metrics = await h.get("/metrics", on: a) ?? ""
                if !metrics.isEmpty { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            let runsAfter = Self.checkRuns(await h.get("/status", on: a))
            let report = "fds \(baselineFDs) → \(peakFDs) with 3,000 connections (\(refused) refused); check runs \(runsBefore ?? -1) → \(runsAfter ?? -1)"
            print("descriptor budget: \(report)")
            #expect(refused >= clients.count - 188, "\(report)")
            #expect(peakFDs <= baselineFDs + 188 + 8, "\(report)")
            #expect(Self.sample("ipfailover_check_script_failures_total", in: metrics) == 0, "\(report)\n\(metrics)")
            #expect((runsAfter ?? 0) >= (runsBefore ?? 0) + 2, "\(report)")
            #expect(await h.state(of: a) == "MASTER", "\(report)\n\(pa.standardError.suffix(2000))")
            #expect(!pa.standardError.contains("Too many open files"), "\(pa.standardError.suffix(2000))")
        }
    }

    /// The first script's `runs` in a `/status` document.
    static func checkRuns(_ status: String?) -> Int? {
        guard let status, let range = status.firstRange(of: #""runs" : "#) else { return nil }
        return Int(status[range.upperBound...].prefix { $0.isNumber })
    }

    /// The value of the first sample of `metric` in Prometheus text.
    static func sample(_ metric: String, in text: String) -> Int? {
        text.split(separator: "\n").first { $0.hasPrefix(metric + "{") || $0.hasPrefix(metric + " ") }
            .flatMap { $0.split(separator: " ").last }.flatMap { Double($0) }.map { Int($0) }
    }

    // MARK: - Clients (run on a thread inside the node's namespace)

    /// A non-blocking connect to 127.0.0.1:`port`.
    static func connect(port: UInt16) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw LinuxNetworkingError.systemCall(name: "socket", errno: errno, context: "status client") }
        var (storage, length) = SocketAddress.storage(.v4(.init(127, 0, 0, 1)), port: port)
        let rc = withUnsafePointer(to: &storage) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, length) } }
        guard rc == 0 || errno == EINPROGRESS else {
            let code = errno
            close(fd)
            throw LinuxNetworkingError.systemCall(name: "connect", errno: code, context: "127.0.0.1:\(port)")
        }
        return fd
    }

    /// `POLLRDHUP`, which Glibc's Swift overlay does not import.
    static let pollReadHangUp: Int16 = 0x2000

    /// `count` connections, `batch` at a time, each batch waited for until its
    /// handshakes are done (or 5 s pass).
    /// Opens `count` connections to the status port from `node`, in batches that each
    /// finish their handshake (the listen backlog drops SYNs beyond it), and waits up to
    /// 15 s for the server to close every one past `cap` as soon as it accepts it (the
    /// backlog admits them in bursts). Returns the descriptors and how many it closed.
    static func connectPastCap(_ lab: Lab, from node: Lab.Node, port: UInt16, count: Int,
                               cap: Int) async throws -> (clients: [Int32], closedByServer: Int) {
        let clients = try await lab.inNamespace(node.namespace) { () throws -> [Int32] in
            try Self.connectAll(port: port, count: count, batch: 100)
        }
        var closed = 0
        let end = ContinuousClock.now + .seconds(15)
        repeat {
            try await Task.sleep(for: .milliseconds(200))
            closed = clients.filter(Self.isClosedByPeer).count
        } while closed < clients.count - cap && ContinuousClock.now < end
        return (clients, closed)
    }

    static func connectAll(port: UInt16, count: Int, batch: Int) throws -> [Int32] {
        var all: [Int32] = []
        all.reserveCapacity(count)
        while all.count < count {
            let fds = try (0..<min(batch, count - all.count)).map { _ in try connect(port: port) }
            var waiting = fds.map { pollfd(fd: $0, events: Int16(POLLOUT), revents: 0) }
            let end = ContinuousClock.now + .seconds(5)
            while !waiting.isEmpty, ContinuousClock.now < end {
                _ = poll(&waiting, nfds_t(waiting.count), 100)
                waiting.removeAll { $0.revents != 0 }
                for i in waiting.indices { waiting[i].revents = 0 }
            }
            all += fds
        }
        return all
    }

    /// Whether the server has closed `fd` (end of stream or reset, seen without blocking).
    static func isClosedByPeer(_ fd: Int32) -> Bool {
        var descriptor = pollfd(fd: fd, events: Int16(POLLIN) | pollReadHangUp, revents: 0)
        guard poll(&descriptor, 1, 0) == 1 else { return false }
        if descriptor.revents & (pollReadHangUp | Int16(POLLHUP) | Int16(POLLERR)) != 0 { return true }
        var byte: UInt8 = 0
        return recv(fd, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT)) == 0
    }

    /// Blocks until `fd` is writable or `timeout` passes.
    static func waitWritable(_ fd: Int32, timeout: Duration) -> Bool {
        var descriptor = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
        return poll(&descriptor, 1, Int32(timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)) == 1
    }

    /// Sends `requests` pipelined `GET /metrics` on one connection, never reading
    /// an answer; stops when the socket has not taken a byte for `stallAfter`.
    /// Returns the connection (open) and how many whole requests went out.
    static func pipelinedFlood(port: UInt16, requests: Int, stallAfter: Duration) throws -> (fd: Int32, requests: Int) {
        let fd = try connect(port: port)
        guard waitWritable(fd, timeout: .seconds(5)) else { return (fd, 0) }
        let request = Array("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".utf8)
        let all = Array(repeating: request, count: requests).flatMap { $0 }
        var sent = 0
        while sent < all.count {
            guard waitWritable(fd, timeout: stallAfter) else { break }
            let n = all[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT)) }
            if n < 0, errno == EAGAIN || errno == EINTR { continue }
            guard n > 0 else { break }
            sent += n
        }
        return (fd, sent / request.count)
    }

    /// `connections` clients that each send a request line and no more.
    static func startSlowloris(port: UInt16, connections: Int) throws -> [Int32] {
        let fds = try (0..<connections).map { _ in try connect(port: port) }
        for fd in fds {
            _ = waitWritable(fd, timeout: .seconds(5))
            _ = "GET /metrics HTTP/1.1\r\n".withCString { send(fd, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
        }
        return fds
    }

    /// Sends one header byte per second on each of `fds`, never finishing the
    /// request, until the server closes them all or `duration` passes; closes them.
    /// Returns how many the server closed and when the last of those went, in
    /// seconds from the start.
    static func trickle(_ fds: [Int32], for duration: Duration) -> (closed: Int, seconds: Double) {
        let start = ContinuousClock.now
        var open = fds
        var closed = 0
        var last = Duration.zero
        while !open.isEmpty, ContinuousClock.now - start < duration {
            sleep(1)
            open = open.filter { fd in
                let byte: [UInt8] = [UInt8(ascii: "X")]
                let gone = isClosedByPeer(fd)
                    || byte.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, 1, Int32(MSG_NOSIGNAL | MSG_DONTWAIT)) } < 0
                if gone {
                    close(fd)
                    closed += 1
                    last = ContinuousClock.now - start
                }
                return !gone
            }
        }
        for fd in open { close(fd) }
        return (closed, Double(last.components.seconds) + Double(last.components.attoseconds) / 1e18)
    }
}
