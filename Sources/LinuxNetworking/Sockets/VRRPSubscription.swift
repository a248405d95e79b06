import Synchronization

/// A subscription to a `VRRPSocket`: the packets that pass its filter, in arrival order.
public final class VRRPSubscription: Sendable {
    /// Packets for this subscriber; finishes when cancelled or the socket closes.
    public let packets: AsyncStream<ReceivedVRRPPacket>
    let id: UInt64
    weak let socket: VRRPSocket?

    init(packets: AsyncStream<ReceivedVRRPPacket>, id: UInt64, socket: VRRPSocket) {
        self.packets = packets
        self.id = id
        self.socket = socket
    }

    /// Packets this subscriber rejected because the source is not a configured peer.
    public var rejectedNonPeerCount: Int {
        socket?.state.withLock { $0.subscribers[id]?.rejectedNonPeer } ?? 0
    }

    /// Packets delivered to this subscriber.
    public var deliveredCount: Int {
        socket?.state.withLock { $0.subscribers[id]?.delivered } ?? 0
    }

    /// Stops delivery and finishes `packets`.
    public func cancel() { socket?.unsubscribe(id) }
}

