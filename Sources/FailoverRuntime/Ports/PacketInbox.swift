import Synchronization

/// Received VRRP packets waiting for the engine: filled by the receive side on its
/// own thread, emptied by the engine — on every doorbell, and before it acts on any
/// expired timer. A backup therefore never declares the master down while the
/// master's advert already sits in memory behind the timer (under load the timer
/// and the packet feeder compete for the engine, and the timer can win).
///
/// Bounded: beyond `capacity` waiting packets the oldest are dropped and counted —
/// a stale advert is worth less than a fresh one.
public final class PacketInbox: Sendable {
    private struct State {
        var packets: [InboundPacket] = []
        var dropped = 0
        var doorbellRung = false
        /// Per receiving socket (interface and family), the kernel's latest count of
        /// packets dropped for a full receive queue.
        var socketDrops: [String: UInt32] = [:]
        /// Those drops summed over time: a socket opened again (its interface was
        /// recreated) counts from zero, and the total must not go back.
        var receiveQueueDrops: UInt64 = 0
    }

    private let state = Mutex(State())
    private let ring: AsyncStream<Void>.Continuation
    /// One element whenever packets arrive to an inbox the engine has emptied.
    public let doorbell: AsyncStream<Void>
    /// The most packets kept waiting.
    public let capacity: Int

    public init(capacity: Int = 16_384) {
        self.capacity = capacity
        (doorbell, ring) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Adds packets in arrival order and rings the doorbell once per emptied inbox.
    public func append(_ packets: [InboundPacket]) {
        guard !packets.isEmpty else { return }
        let ringNow = state.withLock { s -> Bool in
            for packet in packets {
                if let drops = packet.receiveQueueDrops {
                    let key = "\(packet.interface)/\(packet.packet.source.family)"
                    let last = s.socketDrops[key] ?? 0
                    s.receiveQueueDrops += UInt64(drops >= last ? drops - last : drops)
                    s.socketDrops[key] = drops
                }
            }
            s.packets.append(contentsOf: packets)
            if s.packets.count > capacity {
                let excess = s.packets.count - capacity
                s.packets.removeFirst(excess)
                s.dropped += excess
            }
            defer { s.doorbellRung = true }
            return !s.doorbellRung
        }
        if ringNow { ring.yield() }
    }

    /// Everything waiting, oldest first; the inbox is empty afterwards.
    public func take() -> [InboundPacket] {
        state.withLock { s in
            s.doorbellRung = false
            defer { s.packets.removeAll(keepingCapacity: true) }
            return s.packets
        }
    }

    /// Packets dropped because the inbox was full.
    public var dropped: Int { state.withLock { $0.dropped } }

    /// Packets the kernel dropped before any reached us, because a receive socket's
    /// queue was full (a flood, or a receive side that fell behind): the sum over the
    /// sockets of the increases in their `SO_RXQ_OVFL` counts (a count that went back
    /// is a new socket's, counted from zero).
    public var receiveQueueDrops: UInt64 { state.withLock { $0.receiveQueueDrops } }

    /// Ends `doorbell`.
    public func close() { ring.finish() }
}
