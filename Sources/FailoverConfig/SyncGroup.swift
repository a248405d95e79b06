/// A `vrrp_sync_group`: instances that change state together.
public struct SyncGroup: Hashable, Sendable {
    /// The group's name (notify scripts get `GROUP <name>`).
    public var name: String
    /// `group { … }`: member instance names.
    public var group: [String]
    /// `notify`, `notify_master`, … for the group.
    public var notifyScripts: NotifyScripts
    /// `track_script`: scripts tracked by every member.
    public var trackScripts: [TrackedScript]

    public init(name: String, group: [String] = [], notifyScripts: NotifyScripts = NotifyScripts(),
                trackScripts: [TrackedScript] = []) {
        self.name = name
        self.group = group
        self.notifyScripts = notifyScripts
        self.trackScripts = trackScripts
    }
}

/// The notify commands of an instance or sync group.
public struct NotifyScripts: Hashable, Sendable {
    /// `notify`: called on every transition with `INSTANCE|GROUP name STATE priority`.
    public var notify: String?
    /// `notify_master`: called with its configured arguments only.
    public var notifyMaster: String?
    /// `notify_backup`.
    public var notifyBackup: String?
    /// `notify_fault`.
    public var notifyFault: String?
    /// `notify_stop`.
    public var notifyStop: String?

    public init(notify: String? = nil, notifyMaster: String? = nil, notifyBackup: String? = nil,
                notifyFault: String? = nil, notifyStop: String? = nil) {
        self.notify = notify
        self.notifyMaster = notifyMaster
        self.notifyBackup = notifyBackup
        self.notifyFault = notifyFault
        self.notifyStop = notifyStop
    }

    /// True when no notify command is configured.
    public var isEmpty: Bool {
        notify == nil && notifyMaster == nil && notifyBackup == nil && notifyFault == nil && notifyStop == nil
    }

    /// The commands with their keywords, in keepalived's keyword order.
    public var all: [(keyword: String, command: String)] {
        [("notify", notify), ("notify_master", notifyMaster), ("notify_backup", notifyBackup),
         ("notify_fault", notifyFault), ("notify_stop", notifyStop)]
            .compactMap { k, v in v.map { (k, $0) } }
    }
}

/// A `track_script` entry: `name [weight W [reverse]]`.
public struct TrackedScript: Hashable, Sendable {
    /// The `vrrp_script` name.
    public var name: String
    /// Per-instance weight overriding the script's; nil = the script's own.
    public var weight: Int?
    /// `reverse`: swap the weight's meaning.
    public var reverse: Bool

    public init(name: String, weight: Int? = nil, reverse: Bool = false) {
        self.name = name
        self.weight = weight
        self.reverse = reverse
    }
}

/// A `track_interface` entry: `name [weight W [reverse]]`.
public struct TrackedInterface: Hashable, Sendable {
    /// The interface name.
    public var name: String
    /// nil (or 0): FAULT while the interface is down; otherwise priority change.
    public var weight: Int?
    /// `reverse`: swap the weight's meaning.
    public var reverse: Bool

    public init(name: String, weight: Int? = nil, reverse: Bool = false) {
        self.name = name
        self.weight = weight
        self.reverse = reverse
    }
}
