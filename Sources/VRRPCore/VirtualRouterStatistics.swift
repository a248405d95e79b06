/// Per-instance protocol counters, named after keepalived's stats so the metrics
/// exporter can map them 1:1 (`keepalived_<name>`).
public struct VirtualRouterStatistics: Hashable, Sendable {
    /// `become_master`: transitions into MASTER.
    public var becomeMaster: UInt64 = 0
    /// `release_master`: transitions out of MASTER.
    public var releaseMaster: UInt64 = 0
    /// `advert_sent`: advertisements sent (including priority 0).
    public var advertSent: UInt64 = 0
    /// `advert_rcvd`: advertisements for this instance that passed the core's checks.
    public var advertReceived: UInt64 = 0
    /// `pri_zero_sent`: priority-0 (release) advertisements sent.
    public var priorityZeroSent: UInt64 = 0
    /// `pri_zero_rcvd`: priority-0 advertisements received.
    public var priorityZeroReceived: UInt64 = 0
    /// `auth_failure`: v2 simple password did not match.
    public var authFailure: UInt64 = 0
    /// `authtype_mismatch`: v2 auth type differs from ours.
    public var authTypeMismatch: UInt64 = 0
    /// `advert_interval_err`: interval differs from ours (v2 drops, v3 processes).
    public var advertIntervalError: UInt64 = 0
    /// `addr_list_err`: address list differs from ours (still processed).
    public var addressListError: UInt64 = 0
    /// `vers_err`: an advert of the other VRRP version for our VRID (dropped) — a
    /// keepalived peer left on its default v2 beside our v3, or the reverse.
    public var versionError: UInt64 = 0
    /// Adverts for another VRID or family, or from ourselves, handed to this
    /// instance (dropped).
    public var foreignAdvertisement: UInt64 = 0

    public init() {}

    /// `(keepalived name, value)` pairs in a stable order, for exporters.
    public var keepalivedCounters: [(name: String, value: UInt64)] {
        [
            ("become_master", becomeMaster), ("release_master", releaseMaster),
            ("advert_sent", advertSent), ("advert_rcvd", advertReceived),
            ("pri_zero_sent", priorityZeroSent), ("pri_zero_rcvd", priorityZeroReceived),
            ("auth_failure", authFailure), ("authtype_mismatch", authTypeMismatch),
            ("advert_interval_err", advertIntervalError), ("addr_list_err", addressListError),
            ("vers_err", versionError),
        ]
    }
}
