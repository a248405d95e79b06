import FailoverRuntime
import VRRPWire

/// One protocol-112 packet as the kernel delivered it, with the metadata the
/// RFC 5798 §7.1 receive checks need. The payload is not validated here.
public struct ReceivedVRRPPacket: Hashable, Sendable {
    /// The VRRP message: everything after the IPv4 header / the IPv6 payload.
    public var payload: [UInt8]
    /// The IP source address (the sender's primary address, RFC 5798 §5.1.1.1).
    public var source: IPAddress
    /// The IP destination: the VRRP group, or our address for unicast.
    public var destination: IPAddress
    /// IPv4 TTL or IPv6 hop limit as received; RFC 5798 §7.1 requires 255.
    public var hopLimit: UInt8
    /// The kernel index of the interface the packet arrived on.
    public var interfaceIndex: Int32
    /// When the kernel received it (`SCM_TIMESTAMPNS`, CLOCK_REALTIME).
    public var receivedAt: WallClockTime?
    /// The packet was longer than the receive buffer: `payload` holds its first bytes.
    public var isTruncated: Bool
    /// How many packets the kernel had dropped on this socket for a full receive queue
    /// when it queued this one (`SO_RXQ_OVFL`); nil while none were.
    public var receiveQueueDrops: UInt32?

    public init(payload: [UInt8], source: IPAddress, destination: IPAddress, hopLimit: UInt8, interfaceIndex: Int32,
                receivedAt: WallClockTime? = nil, isTruncated: Bool = false, receiveQueueDrops: UInt32? = nil) {
        self.payload = payload
        self.source = source
        self.destination = destination
        self.hopLimit = hopLimit
        self.interfaceIndex = interfaceIndex
        self.receivedAt = receivedAt
        self.isTruncated = isTruncated
        self.receiveQueueDrops = receiveQueueDrops
    }

    /// The VRID byte (offset 1 in both VRRPv2 and VRRPv3), if the payload has one.
    public var virtualRouterIDByte: UInt8? { payload.count > 1 ? payload[1] : nil }
}
