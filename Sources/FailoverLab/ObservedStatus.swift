import FailoverTimeline
import FoundationEssentials

/// The parts of a daemon's `/status` document the lab looks at (decoded with
/// explicit keys, independent of the daemon's Swift types).
public struct ObservedStatus: Sendable, Hashable, Decodable {
    /// One VRRP instance.
    public struct Instance: Sendable, Hashable, Decodable {
        public var name: String
        /// INIT, BACKUP, MASTER or FAULT.
        public var state: String
        public var effectivePriority: Int
        public var basePriority: Int
        public var virtualRouterID: Int
        /// The current master's address as this node sees it.
        public var masterAddress: String?
        /// The instance's VIPs (configured, whether held or not).
        public var virtualAddresses: [String]
        /// keepalived-named counters (`become_master`, `advert_rcvd`, …).
        public var counters: [String: Int]?
        /// Split-brain episodes (another master on the VRID).
        public var splitBrain: Conflict?
        /// VRID-collision episodes (another address list on the VRID).
        public var vridCollision: Conflict?
        /// The last state changes, oldest first (decoded as the timeline reads them).
        public var history: [TimelineDocument.Transition]?
        // The document's keys are the daemon's property names (docs/daemon.md).
    }

    /// A split-brain or VRID-collision record of one instance.
    public struct Conflict: Sendable, Hashable, Decodable {
        public var active: Bool
        /// The sender that began the active episode.
        public var peer: String?
        public var episodes: Int
    }

    public var instances: [Instance]

    /// The instance called `name`.
    public func instance(_ name: String) -> Instance? { instances.first { $0.name == name } }

    /// Decodes a `/status` body.
    public static func decode(_ body: [UInt8]) throws -> ObservedStatus {
        try JSONDecoder().decode(ObservedStatus.self, from: Data(body))
    }
}
