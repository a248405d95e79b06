import VRRPCore
import VRRPWire

/// Episodes of one kind of peer conflict (split brain, or VRID collision) on one
/// instance. An episode begins with the first `PeerConflict` fact while none is
/// active and ends when no such fact has come for `quietPeriod`; the engine logs
/// each beginning and end once, however many adverts fall in between.
struct ConflictEpisodes: Sendable, Hashable {
    /// Episodes begun since the daemon started.
    private(set) var episodes: UInt64 = 0
    /// The sender of the fact that began the active episode; nil: none active.
    private(set) var peer: IPAddress?
    /// When the active episode began.
    private(set) var since: VRRPInstant?
    /// The last fact of the active episode.
    private(set) var lastSeen: VRRPInstant?
    /// Facts (conflicting adverts) seen, all episodes together.
    private(set) var facts: UInt64 = 0

    var isActive: Bool { peer != nil }

    /// Records a fact; true when it begins an episode (log it).
    mutating func record(_ conflict: PeerConflict, now: VRRPInstant) -> Bool {
        facts += 1
        lastSeen = now
        guard peer == nil else { return false }
        episodes += 1
        peer = conflict.peer
        since = now
        return true
    }

    /// Ends the active episode if it has been quiet for `quietPeriod`; returns the
    /// peer and how long the episode lasted when it ends (log it).
    mutating func expire(now: VRRPInstant, quietPeriod: Duration) -> (peer: IPAddress, lasted: Duration)? {
        guard let peer, let lastSeen, let since, now - lastSeen >= quietPeriod else { return nil }
        self.peer = nil
        self.since = nil
        return (peer, lastSeen - since)
    }

    /// The `/status` view; `since` as seconds since the daemon started.
    var snapshot: ConflictSnapshot {
        ConflictSnapshot(active: isActive, peer: peer?.description, sinceSeconds: since?.offset.seconds,
                         episodes: episodes, adverts: facts)
    }
}

/// One instance's split-brain or VRID-collision record, as `/status` shows it.
public struct ConflictSnapshot: Sendable, Hashable, Codable {
    /// An episode is going on: conflicting adverts came within the quiet period.
    public var active: Bool
    /// The sender that began the active episode.
    public var peer: String?
    /// When the active episode began, in seconds since the daemon started.
    public var sinceSeconds: Double?
    /// Episodes begun since the daemon started.
    public var episodes: UInt64
    /// Conflicting adverts received, all episodes together.
    public var adverts: UInt64

    public init(active: Bool = false, peer: String? = nil, sinceSeconds: Double? = nil, episodes: UInt64 = 0, adverts: UInt64 = 0) {
        self.active = active
        self.peer = peer
        self.sinceSeconds = sinceSeconds
        self.episodes = episodes
        self.adverts = adverts
    }
}
