import VRRPWire

/// Deterministic priorities for env mode: each of the `replicaCount` nodes is the
/// preferred master of every `replicaCount`-th instance, and the order of backups
/// rotates with it. Same inputs → same priorities; never 255 (no accidental address
/// owner), never `state MASTER`.
///
///     slot     = node number mod R        (R = OPENSHIFT_HA_REPLICA_COUNT)
///     rank(g)  = (slot − g) mod R         (g = 0-based instance index)
///     priority = max(1, 254 − rank)
///
/// The node number is the primary IPv4 address as a 32-bit integer (IPv6: its last
/// 32 bits), so nodes with consecutive addresses get distinct slots; without an
/// address it is the FNV-1a hash of the host name. Nodes that share a slot tie on
/// priority and VRRP's rule (higher primary address wins) decides.
public struct MasterSpreading: Hashable, Sendable {
    /// OPENSHIFT_HA_REPLICA_COUNT (≥ 1).
    public var replicaCount: Int
    /// This node's slot in 0..<replicaCount.
    public var slot: Int

    public init(replicaCount: Int, node: NodeIdentity) {
        self.replicaCount = max(1, replicaCount)
        self.slot = Int(Self.nodeNumber(node) % UInt64(self.replicaCount))
    }

    /// The number the slot is taken from.
    public static func nodeNumber(_ node: NodeIdentity) -> UInt64 {
        switch node.primaryAddress {
        case .v4(let a)?:
            return UInt64(a.value)
        case .v6(let a)?:
            return a.bytes[12...].reduce(0) { $0 << 8 | UInt64($1) }
        case nil:
            var hash: UInt32 = 0x811C_9DC5
            for byte in node.hostname.utf8 {
                hash ^= UInt32(byte)
                hash = hash &* 0x0100_0193
            }
            return UInt64(hash)
        }
    }

    /// 0 = preferred master of instance `index`, 1 = first backup, ….
    public func rank(ofInstance index: Int) -> Int {
        ((slot - index) % replicaCount + replicaCount) % replicaCount
    }

    /// The priority of instance `index` (0-based) on this node: 254 − rank, at least 1.
    public func priority(ofInstance index: Int) -> Priority {
        Priority(UInt8(max(1, 254 - rank(ofInstance: index))))
    }
}
