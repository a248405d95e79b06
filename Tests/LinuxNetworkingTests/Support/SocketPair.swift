import FailoverLab
import LinuxNetworking
import VRRPWire

/// The fixture of the socket tests: a VRRP socket on node a's eth0 that sends and one
/// on node b's that receives, across the lab bridge, as two daemons' sockets face each
/// other.
struct SocketPair: Sendable {
    /// How the pair's adverts travel from a to b.
    enum Delivery: Sendable {
        /// Both sockets joined to the family's VRRP group (224.0.0.18 / ff02::12).
        case defaultGroup
        /// Only the receiver joined to this group.
        case group(IPAddress)
        /// Unicast: neither joins a group; the sender sends from a's address.
        case unicast
    }

    /// The sending node and the receiving node.
    let a: Lab.Node, b: Lab.Node
    /// The socket on a.
    let sender: VRRPSocket
    /// The socket on b.
    let receiver: VRRPSocket
}

extension Lab {
    /// A fresh two-node lab with a socket pair in it; `body` gets both, and the sockets
    /// and the lab are removed on every exit.
    static func withSocketPair<T: Sendable>(family: AddressFamily, delivery: SocketPair.Delivery = .defaultGroup,
                                            _ body: (Lab, SocketPair) async throws -> T) async throws -> T {
        try await Lab.with { lab in
            let a = lab.node("a"), b = lab.node("b")
            let sender: VRRPSocket, receiver: VRRPSocket
            switch delivery {
            case .defaultGroup:
                sender = try await lab.vrrpSocket(on: a, family: family)
                receiver = try await lab.vrrpSocket(on: b, family: family)
            case .group(let group):
                sender = try await lab.vrrpSocket(on: a, family: family, groups: [])
                receiver = try await lab.vrrpSocket(on: b, family: family, groups: [group])
            case .unicast:
                sender = try await lab.vrrpSocket(on: a, family: family, groups: [], source: a.address(family))
                receiver = try await lab.vrrpSocket(on: b, family: family, groups: [])
            }
            defer { sender.close(); receiver.close() }
            return try await body(lab, SocketPair(a: a, b: b, sender: sender, receiver: receiver))
        }
    }
}
