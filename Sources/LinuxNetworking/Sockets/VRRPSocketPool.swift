import Synchronization
import VRRPWire

/// Hands out one shared `VRRPSocket` per (interface, family), so every VRRP
/// instance on an interface uses the same socket and the same read source.
/// Multicast groups are reference-counted: the socket joins a group when the first
/// instance needs it and leaves when the last one releases it. The socket closes
/// when its last lease is released.
///
/// The first `lease` for an interface opens the socket, so call it on a thread in
/// the right network namespace (the daemon's own thread normally is).
public final class VRRPSocketPool: Sendable {
    struct Key: Hashable { var interface: String; var family: AddressFamily }

    struct Entry {
        var socket: VRRPSocket
        var leases = 0
        var groups: [IPAddress: Int] = [:]
    }

    /// A claim on a shared socket; `release()` it when the instance stops.
    public final class Lease: Sendable {
        /// The shared socket: subscribe with the instance's VRID and peers, send per packet.
        public let socket: VRRPSocket
        /// The groups this lease joined.
        public let groups: [IPAddress]
        private let pool: VRRPSocketPool
        private let released = Atomic<Bool>(false)

        init(socket: VRRPSocket, groups: [IPAddress], pool: VRRPSocketPool) {
            self.socket = socket
            self.groups = groups
            self.pool = pool
        }

        /// Gives the lease back (idempotent).
        public func release() {
            guard !released.exchange(true, ordering: .acquiringAndReleasing) else { return }
            pool.release(self)
        }

        deinit { release() }
    }

    private let entries = Mutex<[Key: Entry]>([:])

    public init() {}

    /// Leases the socket for `interface`/`family`, joining `groups` (pass [] for a
    /// unicast-only instance; nil for the family's VRRP group).
    public func lease(interface: String, family: AddressFamily, groups: [IPAddress]? = nil) throws -> Lease {
        let wanted = groups ?? [VRRPSocket.Configuration.defaultGroup(family)]
        let key = Key(interface: interface, family: family)
        return try entries.withLock { entries in
            var entry = try entries[key] ?? Entry(socket: VRRPSocket(.init(interface: interface, family: family,
                                                                          multicastGroups: [])))
            for group in wanted where entry.groups[group, default: 0] == 0 {
                try entry.socket.join(group: group)
            }
            for group in wanted { entry.groups[group, default: 0] += 1 }
            entry.leases += 1
            entries[key] = entry
            return Lease(socket: entry.socket, groups: wanted, pool: self)
        }
    }

    /// How many sockets are open.
    public var openSocketCount: Int { entries.withLock { $0.count } }

    fileprivate func release(_ lease: Lease) {
        let config = lease.socket.configuration
        let key = Key(interface: config.interface, family: config.family)
        let toClose: VRRPSocket? = entries.withLock { entries in
            guard var entry = entries[key], entry.socket === lease.socket else { return nil }
            for group in lease.groups {
                entry.groups[group, default: 1] -= 1
                if entry.groups[group] == 0 {
                    entry.groups[group] = nil
                    try? entry.socket.leave(group: group)
                }
            }
            entry.leases -= 1
            if entry.leases == 0 {
                entries[key] = nil
                return entry.socket
            }
            entries[key] = entry
            return nil
        }
        toClose?.close()
    }
}
