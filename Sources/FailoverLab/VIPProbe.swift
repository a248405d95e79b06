import CLinuxShim
import Glibc
import LinuxNetworking
import Synchronization
import VRRPWire

/// The lab's client: from the client namespace it sends one UDP datagram to every VIP
/// every `interval` and records which node answered (the nodes run `UDPResponder`s).
/// Queries answer "who answered VIP x at time t", "longest gap without an answer"
/// and "first answer by node n after t". Runs on its own thread until `stop()`.
/// An answer counts only when it comes from the VIP it answers (what a client with a
/// connected socket would accept); others are counted in `misaddressedAnswers`.
public final class VIPProbe: Sendable {
    /// The VIPs probed.
    public let targets: [IPAddress]
    /// The responders' UDP port.
    public let port: UInt16
    /// Time between two rounds of datagrams.
    public let interval: Duration
    private let sockets: (v4: Int32, v6: Int32)
    private let stopping = Atomic<Bool>(false)
    private let loop = Mutex<Task<Void, Never>?>(nil)
    private let records = Mutex<[ProbeAnswer]>([])
    private let sentCount = Atomic<Int>(0)
    private let misaddressed = Atomic<Int>(0)

    private init(targets: [IPAddress], port: UInt16, interval: Duration, sockets: (Int32, Int32)) {
        self.targets = targets
        self.port = port
        self.interval = interval
        self.sockets = sockets
    }

    /// Opens the probe's sockets in `namespace` and starts probing.
    public static func start(in namespace: String, targets: [IPAddress], port: UInt16,
                             interval: Duration = .milliseconds(5)) async throws -> VIPProbe {
        let sockets = try await NetworkNamespace.run(named: namespace) { () throws -> (Int32, Int32) in
            let v4 = try LabSocket.udp(ipv6: false)
            do { return (v4, try LabSocket.udp(ipv6: true)) } catch { close(v4); throw error }
        }
        let probe = VIPProbe(targets: targets, port: port, interval: interval, sockets: sockets)
        probe.loop.withLock { $0 = Task { try? await DedicatedThread.run { probe.probe() } } }
        return probe
    }

    private func probe() {
        let clock = ContinuousClock()
        var sequence: UInt64 = 0
        var sentAt: [UInt64: ContinuousClock.Instant] = [:]
        var buffer = [UInt8](repeating: 0, count: 512)
        var next = clock.now
        while !stopping.load(ordering: .relaxed) {
            sequence += 1
            let now = clock.now
            sentAt[sequence] = now
            sentAt[sequence &- 2000] = nil
            for (index, vip) in targets.enumerated() {
                let fd = vip.family == .ipv4 ? sockets.v4 : sockets.v6
                LabSocket.send(fd, Array("\(index) \(sequence)".utf8), to: vip, port: port)
            }
            sentCount.add(1, ordering: .relaxed)
            next = next + interval
            if next < now { next = now + interval }
            var received: [ProbeAnswer] = []
            repeat {
                LabSocket.waitReadable([sockets.v4, sockets.v6], timeout: next - clock.now)
                for fd in [sockets.v4, sockets.v6] {
                    while true {
                        var from = sockaddr_storage()
                        var fromLength = socklen_t(MemoryLayout<sockaddr_storage>.size)
                        let n = buffer.withUnsafeMutableBytes { raw in
                            withUnsafeMutablePointer(to: &from) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                                recvfrom(fd, raw.baseAddress, raw.count, Int32(MSG_DONTWAIT), $0, &fromLength) } }
                        }
                        guard n > 0 else { break }
                        let at = clock.now
                        let fields = String(decoding: buffer[0..<n], as: UTF8.self).split(separator: " ")
                        guard fields.count == 3, let index = Int(fields[0]), targets.indices.contains(index),
                              let seq = UInt64(fields[1]), let sent = sentAt[seq] else { continue }
                        guard SocketAddress.address(of: from) == targets[index] else {
                            misaddressed.add(1, ordering: .relaxed)
                            continue
                        }
                        received.append(ProbeAnswer(vip: targets[index], node: String(fields[2]), sequence: seq,
                                                    sentAt: sent, receivedAt: at))
                    }
                }
            } while clock.now < next && !stopping.load(ordering: .relaxed)
            if !received.isEmpty { records.withLock { $0 += received } }
        }
    }

    /// Stops probing and closes the sockets. Idempotent.
    public func stop() async {
        guard !stopping.exchange(true, ordering: .relaxed) else { return }
        let task = loop.withLock { $0 }
        await task?.value
        close(sockets.v4)
        close(sockets.v6)
    }

    /// Answers that came from another address than the VIP asked (not recorded).
    public var misaddressedAnswers: Int { misaddressed.load(ordering: .relaxed) }

    /// Rounds of datagrams sent so far.
    public var rounds: Int { sentCount.load(ordering: .relaxed) }

    /// Every answer for `vip`, in arrival order.
    public func answers(to vip: IPAddress) -> [ProbeAnswer] {
        records.withLock { $0.filter { $0.vip == vip } }
    }

    /// The node of the last answer for `vip` received at or before `instant`.
    public func node(answering vip: IPAddress, at instant: ContinuousClock.Instant = .now) -> String? {
        records.withLock { $0.last { $0.vip == vip && $0.receivedAt <= instant }?.node }
    }

    /// The nodes that answered `vip` between `from` and `to`, with their answer counts.
    public func nodes(answering vip: IPAddress, from: ContinuousClock.Instant,
                      to: ContinuousClock.Instant = .now) -> [String: Int] {
        records.withLock { all in
            all.filter { $0.vip == vip && $0.receivedAt >= from && $0.receivedAt <= to }
                .reduce(into: [:]) { $0[$1.node, default: 0] += 1 }
        }
    }

    /// The first answer for `vip` by `node` received after `instant`.
    public func firstAnswer(to vip: IPAddress, by node: String, after instant: ContinuousClock.Instant) -> ProbeAnswer? {
        records.withLock { $0.first { $0.vip == vip && $0.node == node && $0.receivedAt > instant } }
    }

    /// The longest time between `from` and `to` during which no answer for `vip`
    /// arrived (the client-visible outage), counting the edges of the window.
    public func longestGap(for vip: IPAddress, from: ContinuousClock.Instant,
                           to: ContinuousClock.Instant = .now) -> Duration {
        let times = records.withLock { all in
            all.filter { $0.vip == vip && $0.receivedAt >= from && $0.receivedAt <= to }.map(\.receivedAt)
        }
        var longest = Duration.zero
        var previous = from
        for time in times + [to] {
            longest = max(longest, time - previous)
            previous = time
        }
        return longest
    }

    /// Waits (polling, up to `timeout`) for an answer for `vip` by `node` after `instant`.
    public func waitForAnswer(to vip: IPAddress, by node: String, after instant: ContinuousClock.Instant = .now,
                              timeout: Duration = .seconds(15)) async -> ProbeAnswer? {
        let deadline = ContinuousClock.now + timeout
        while true {
            if let answer = firstAnswer(to: vip, by: node, after: instant) { return answer }
            if ContinuousClock.now >= deadline || Task.isCancelled { return nil }
            try? await Task.sleep(for: .milliseconds(10))
        }
    }
}
