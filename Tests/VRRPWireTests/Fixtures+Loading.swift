import Foundation
import Testing
import VRRPWire

/// Loads the keepalived captures in Fixtures/ (see Fixtures/README.md).
enum GoldenFixture {
    /// The captured Ethernet frame of fixture `name` (`keepalived-v2-ipv4-pass`, …).
    static func frame(_ name: String) throws -> [UInt8] {
        let url = try #require(
            Bundle.module.url(forResource: name, withExtension: "hex", subdirectory: "Fixtures"),
            "fixture \(name).hex is missing from the test bundle")
        let text = try String(contentsOf: url, encoding: .utf8)
        let hex = text.split(separator: "\n")
            .filter { !$0.hasPrefix("#") }
            .joined()
            .filter { !$0.isWhitespace }
        return try #require(bytes(hex: hex), "fixture \(name).hex is not hex")
    }

    /// The VRRP packet inside a captured frame, with the IP fields the checks need.
    static func receivedPacket(_ name: String) throws -> ReceivedPacket {
        let frame = try #require(EthernetFrame(parsing: try frame(name)))
        switch frame.etherType {
        case EtherType.ipv4:
            return ReceivedPacket(try #require(IPv4Datagram(parsing: frame.payload)))
        case EtherType.ipv6:
            return ReceivedPacket(try #require(IPv6Packet(parsing: frame.payload)))
        default:
            Issue.record("fixture \(name) is not IP")
            throw FixtureError.notIP
        }
    }

    enum FixtureError: Error { case notIP }

    static func bytes(hex: String) -> [UInt8]? {
        let digits = Array(hex.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        for i in stride(from: 0, to: digits.count, by: 2) {
            guard let b = UInt8(String(decoding: digits[i..<i + 2], as: UTF8.self), radix: 16) else { return nil }
            out.append(b)
        }
        return out
    }
}
