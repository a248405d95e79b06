import CLinuxShim
import Glibc
import VRRPWire

/// Every failure LinuxNetworking reports: the operation that failed, the kernel's
/// errno where there is one, and the context needed to act on it.
public enum LinuxNetworkingError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A system call failed; `context` names the object (interface, address, path).
    case systemCall(name: String, errno: Int32, context: String)
    /// The kernel rejected a netlink request; `message` is its extended-ACK text, if any.
    case netlink(operation: String, errno: Int32, message: String?)
    /// A netlink reply could not be parsed (truncated or inconsistent lengths).
    case malformedNetlinkMessage(String)
    /// No interface with this name exists in the calling thread's network namespace.
    case noSuchInterface(String)
    /// An address of the wrong family was given to a single-family object.
    case addressFamilyMismatch(expected: AddressFamily, got: IPAddress)
    /// The interface has no usable address of this family to send from.
    case noSourceAddress(interface: String, family: AddressFamily)
    /// nftables cannot be used; `reason` explains what to install or change.
    case firewallUnavailable(reason: String)
    /// `nft` ran but failed; `stderr` is its diagnostic.
    case firewallCommandFailed(status: Int32, stderr: String)
    /// The owned-address state file could not be read or written.
    case stateFile(path: String, errno: Int32)
    /// A payload too large to send in one packet.
    case payloadTooLarge(Int)

    /// The symbolic errno text, e.g. "Operation not permitted".
    static func text(_ code: Int32) -> String { String(cString: strerror(code)) }

    public var description: String {
        switch self {
        case let .systemCall(name, code, context):
            "\(name)(\(context)) failed: \(Self.text(code)) (errno \(code))"
        case let .netlink(operation, code, message):
            "netlink \(operation) failed: \(Self.text(code)) (errno \(code))" + (message.map { ": \($0)" } ?? "")
        case let .malformedNetlinkMessage(what):
            "malformed netlink message: \(what)"
        case let .noSuchInterface(name):
            "no interface named \(name) in this network namespace"
        case let .addressFamilyMismatch(expected, got):
            "address \(got) is not \(expected)"
        case let .noSourceAddress(interface, family):
            "interface \(interface) has no \(family) address to send from"
        case let .firewallUnavailable(reason):
            "nftables unavailable: \(reason)"
        case let .firewallCommandFailed(status, stderr):
            "nft exited with status \(status): \(stderr)"
        case let .stateFile(path, code):
            "state file \(path): \(Self.text(code)) (errno \(code))"
        case let .payloadTooLarge(size):
            "payload of \(size) bytes is too large"
        }
    }
}

/// Returns `result` or throws `.systemCall` with the current errno when it is negative.
@discardableResult
func check<T: BinaryInteger>(_ result: T, _ name: String, _ context: @autoclosure () -> String = "") throws -> T {
    if result < 0 { throw LinuxNetworkingError.systemCall(name: name, errno: errno, context: context()) }
    return result
}

/// Sets an integer socket option.
public func setIntOption(_ fd: Int32, _ level: Int32, _ option: Int32, _ value: Int32, _ name: String) throws {
    var v = value
    try check(setsockopt(fd, level, option, &v, socklen_t(MemoryLayout<Int32>.size)), "setsockopt", name)
}
