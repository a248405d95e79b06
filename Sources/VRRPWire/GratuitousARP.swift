/// A gratuitous ARP announcing that `address` is now at `senderMAC` (RFC 5798
/// §6.4.2 / RFC 3768 §6.4.2 on becoming master; RFC 5227 §3): an ARP request with
/// sender = target = the virtual address, broadcast on the link. Byte-for-byte
/// what keepalived sends: target hardware address ff:ff:ff:ff:ff:ff, no padding
/// (42 bytes; the NIC pads to the minimum frame size).
public struct GratuitousARP: Hashable, Sendable {
    /// The MAC address the virtual address is to be reached at (the interface's,
    /// or the VRRP virtual MAC).
    public var senderMAC: MACAddress
    /// The virtual IPv4 address being announced.
    public var address: IPv4Address

    public init(senderMAC: MACAddress, address: IPv4Address) {
        self.senderMAC = senderMAC
        self.address = address
    }

    /// ARP operation 1, request.
    public static let requestOperation: UInt16 = 1

    /// The 28-byte ARP message (RFC 826).
    public var arpMessage: [UInt8] {
        [0x00, 0x01,                      // hardware type: Ethernet
         0x08, 0x00,                      // protocol type: IPv4
         6, 4,                            // address lengths
         0x00, UInt8(Self.requestOperation)]
            + senderMAC.bytes + address.bytes
            + MACAddress.broadcast.bytes + address.bytes
    }

    /// The whole Ethernet frame, broadcast, for an AF_PACKET socket.
    public var frame: EthernetFrame {
        EthernetFrame(destination: .broadcast, source: senderMAC, etherType: EtherType.arp, payload: arpMessage)
    }
}
