import FailoverConfig
@_spi(Fuzzing) import LinuxNetworking
import VRRPWire

/// The targets: each feeds its input to the code the daemon runs on such input.
enum FuzzTargets {
    static let all: [FuzzTarget] = [
        FuzzTarget(name: "advert-ipv4", summary: "an IPv4 datagram from the raw socket: header, then the VRRPv2/v3 decoder", run: advertIPv4),
        FuzzTarget(name: "advert-ipv6", summary: "an IPv6 VRRPv3 payload (first 32 bytes: source and destination)", run: advertIPv6),
        FuzzTarget(name: "netlink", summary: "a datagram from rtnetlink: message framing, link and address payloads", run: netlink),
        FuzzTarget(name: "config", summary: "keepalived.conf text (lexer, parser, builder), with an include served from memory", run: config),
        FuzzTarget(name: "env", summary: "OPENSHIFT_HA_* values; what render writes must parse back to the same model", run: environment),
        FuzzTarget(name: "http", summary: "one connection's bytes to the status server (loopback, the daemon's pipeline)", run: StatusServerTarget.run),
    ]

    static func advertIPv4(_ bytes: [UInt8]) {
        guard let datagram = IPv4Datagram(parsing: bytes) else { return }
        _ = try? Advertisement.decode(message: datagram.payload, source: .v4(datagram.source),
                                      destination: .v4(datagram.destination))
    }

    static func advertIPv6(_ bytes: [UInt8]) {
        guard bytes.count >= 32,
              let source = IPv6Address(bytes: Array(bytes[0..<16])),
              let destination = IPv6Address(bytes: Array(bytes[16..<32])) else { return }
        _ = try? Advertisement.decode(message: Array(bytes[32...]), source: .v6(source), destination: .v6(destination))
    }

    static func netlink(_ bytes: [UInt8]) {
        _ = LinkMonitor.decodeDatagram(bytes)
    }

    /// The input is the main file; after a NUL byte, the rest is `included.conf`.
    static func config(_ bytes: [UInt8]) {
        let parts = bytes.split(separator: 0, maxSplits: 1, omittingEmptySubsequences: false)
        let main = String(decoding: parts[0], as: UTF8.self)
        let included = parts.count > 1 ? String(decoding: parts[1], as: UTF8.self) : ""
        let parser = KeepalivedConfigParser(source: InMemoryConfigSource(["/etc/keepalived/included.conf": included]))
        _ = parser.parse(main, file: "/etc/keepalived/keepalived.conf")
    }

    /// Lines `NAME=value` (NAME without the `OPENSHIFT_HA_` prefix). The property:
    /// a rendering parses back to the model it came from; a violation traps.
    static func environment(_ bytes: [UInt8]) {
        var environment: [String: String] = [:]
        for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: true) {
            guard let equals = line.firstIndex(of: "=") else { continue }
            let name = line[..<equals]
            environment[name.hasPrefix("HA_") ? String(name) : "OPENSHIFT_HA_" + name] = String(line[line.index(after: equals)...])
        }
        let node = NodeIdentity(hostname: "node-a", primaryAddress: IPAddress("192.0.2.11"), interface: "eth0")
        let (configuration, _, _) = OpenShiftEnvironment.configuration(environment: environment, node: node)
        guard let configuration else { return }
        let text = KeepalivedRenderer().render(configuration)
        let parsed = KeepalivedConfigParser().parse(text, file: "<render>")
        guard parsed.configuration == configuration else {
            fatalError("render does not parse back to its model:\n\(text)")
        }
    }
}
