#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import VRRPWire

/// Builds a classic pcap file (libpcap format, microsecond timestamps,
/// LINKTYPE_ETHERNET) in memory, so tests can hand frames to tshark/tcpdump.
public struct PcapWriter: Sendable {
    /// LINKTYPE_ETHERNET (1): records are Ethernet II frames without FCS.
    public static let linkTypeEthernet: UInt32 = 1
    /// The file's bytes so far: global header plus one record per frame.
    public private(set) var bytes: [UInt8]
    /// Number of frames appended.
    public private(set) var frameCount = 0

    public init(snapshotLength: UInt32 = 65535) {
        bytes = []
        // Written little-endian; the magic number tells readers the byte order.
        appendLE32(0xA1B2_C3D4)
        appendLE16(2)   // version major
        appendLE16(4)   // version minor
        appendLE32(0)   // thiszone
        appendLE32(0)   // sigfigs
        appendLE32(snapshotLength)
        appendLE32(Self.linkTypeEthernet)
    }

    /// Appends one frame captured `timestamp` after the epoch.
    public mutating func append(_ frame: [UInt8], timestamp: Duration = .zero) {
        let (seconds, attoseconds) = timestamp.components
        appendLE32(UInt32(clamping: seconds))
        appendLE32(UInt32(clamping: attoseconds / 1_000_000_000_000))
        appendLE32(UInt32(clamping: frame.count))
        appendLE32(UInt32(clamping: frame.count))
        bytes += frame
        frameCount += 1
    }

    /// Appends an Ethernet frame.
    public mutating func append(_ frame: EthernetFrame, timestamp: Duration = .zero) {
        append(frame.bytes, timestamp: timestamp)
    }

    /// Appends a VRRP advertisement wrapped in Ethernet and an IPv4 or IPv6
    /// header (by the family of `source`), TTL/hop limit 255, to the multicast MAC
    /// of `destination` (default: the VRRP group of the source's family).
    public mutating func appendAdvertisement(
        _ advertisement: Advertisement, source: IPAddress, destination: IPAddress? = nil,
        sourceMAC: MACAddress, timestamp: Duration = .zero
    ) {
        let dst = destination ?? {
            switch source {
            case .v4: IPAddress.v4(IPv4Address.vrrpMulticastGroup)
            case .v6: IPAddress.v6(IPv6Address.vrrpMulticastGroup)
            }
        }()
        append(advertisement.frame(source: source, destination: dst, sourceMAC: sourceMAC), timestamp: timestamp)
    }

    /// Writes the file; throws `PcapWriter.Error` when it cannot be written.
    public func write(toFile path: String) throws(PcapWriter.Error) {
        guard let file = fopen(path, "wb") else { throw .cannotOpen(path: path, errno: errno) }
        defer { fclose(file) }
        let written = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
        guard written == bytes.count else { throw .shortWrite(path: path, written: written, expected: bytes.count) }
    }

    /// Why a pcap file could not be written.
    public enum Error: Swift.Error, Hashable {
        case cannotOpen(path: String, errno: Int32)
        case shortWrite(path: String, written: Int, expected: Int)
    }

    private mutating func appendLE32(_ v: UInt32) {
        bytes += [UInt8(truncatingIfNeeded: v), UInt8(truncatingIfNeeded: v >> 8),
                  UInt8(truncatingIfNeeded: v >> 16), UInt8(truncatingIfNeeded: v >> 24)]
    }

    private mutating func appendLE16(_ v: UInt16) {
        bytes += [UInt8(truncatingIfNeeded: v), UInt8(truncatingIfNeeded: v >> 8)]
    }
}
