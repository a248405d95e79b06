import VRRPWire

/// Port: one TCP connect attempt, used by env mode's default check instead of
/// spawning `/bin/bash -c '</dev/tcp/<ip>/<port>'`.
public protocol TCPConnectProbe: Sendable {
    /// Connects to `address:port`, closes at once; never takes longer than `timeout`.
    func connect(to address: IPAddress, port: UInt16, timeout: Duration) async -> TCPConnectResult
}

/// How a TCP connect attempt ended.
public enum TCPConnectResult: Sendable, Hashable {
    case connected(Duration)
    /// Refused, unreachable, … (errno text).
    case failed(String)
    case timedOut
    /// No attempt was made: the daemon lacked a descriptor or memory for the socket
    /// (EMFILE, ENFILE, ENOBUFS, ENOMEM). Says nothing about the service.
    case resourceExhausted(String)
}
