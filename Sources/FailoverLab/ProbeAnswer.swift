import VRRPWire

/// One answer the client's probe received: which node answered a datagram sent to a VIP.
public struct ProbeAnswer: Sendable, Hashable {
    /// The VIP the datagram was sent to.
    public var vip: IPAddress
    /// The node that answered (its `UDPResponder` name).
    public var node: String
    /// The probe's sequence number of the datagram.
    public var sequence: UInt64
    /// When the datagram was sent.
    public var sentAt: ContinuousClock.Instant
    /// When the answer arrived.
    public var receivedAt: ContinuousClock.Instant
}
