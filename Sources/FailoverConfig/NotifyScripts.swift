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
