/// A `vrrp_sync_group`: instances that change state together.
public struct VRRPSyncGroup: Hashable, Sendable {
    /// The group's name (notify scripts get `GROUP <name>`).
    public var name: String
    /// `group { … }`: member instance names.
    public var group: [String]
    /// `notify`, `notify_master`, … for the group.
    public var notifyScripts: NotifyScripts
    /// `track_script`: scripts tracked by every member.
    public var trackScripts: [TrackEntry]

    public init(name: String, group: [String] = [], notifyScripts: NotifyScripts = NotifyScripts(),
                trackScripts: [TrackEntry] = []) {
        self.name = name
        self.group = group
        self.notifyScripts = notifyScripts
        self.trackScripts = trackScripts
    }
}
