import VRRPWire

extension VRRPScript {
    /// A TCP connect check: what the OpenShift image's default check does.
    public struct TCPConnectCheck: Hashable, Sendable {
        /// Where to connect (env mode: the node's own primary address).
        public var address: IPAddress
        /// The port (OPENSHIFT_HA_MONITOR_PORT).
        public var port: UInt16

        public init(address: IPAddress, port: UInt16) {
            self.address = address
            self.port = port
        }

        /// The command keepalived can run for it: bash's /dev/tcp redirection.
        public var command: String { "/bin/bash -c '</dev/tcp/\(address)/\(port)'" }
    }

    /// The TCP connect this script performs, when its command is exactly the image's
    /// form `/bin/bash -c '</dev/tcp/<address>/<port>'` (also with `bash` or `/usr/bin/bash`),
    /// so the runtime may connect natively instead of spawning bash. nil for anything else.
    public var tcpConnectCheck: TCPConnectCheck? {
        let prefixes = ["/bin/bash -c '</dev/tcp/", "/usr/bin/bash -c '</dev/tcp/", "bash -c '</dev/tcp/"]
        guard let prefix = prefixes.first(where: { script.hasPrefix($0) }), script.hasSuffix("'") else { return nil }
        let target = script.dropFirst(prefix.count).dropLast()
        guard let slash = target.lastIndex(of: "/"), let port = UInt16(target[target.index(after: slash)...]),
              let address = IPAddress(target[..<slash]) else { return nil }
        return TCPConnectCheck(address: address, port: port)
    }
}
