import VRRPWire

/// The VRRP-relevant part of keepalived's `global_defs`.
public struct GlobalDefinitions: Hashable, Sendable {
    /// `router_id`: the node's name in logs and notification e-mails.
    public var routerID: String?
    /// `script_user USER [GROUP]`: the account scripts run as (keepalived's default is
    /// `keepalived_script` if it exists, else root).
    public var scriptUser: String?
    /// The group of `script_user`, when given.
    public var scriptGroup: String?
    /// `enable_script_security`: refuse scripts run as root whose path is writable by others.
    public var enableScriptSecurity: Bool
    /// `vrrp_version`: the default protocol version of instances (2 unless set).
    public var vrrpVersion: VRRPVersion
    /// `vrrp_strict`: enforce RFC compliance (no auth, no unicast, v3 IPv6 only, …).
    public var vrrpStrict: Bool
    /// `vrrp_garp_master_delay`: delay of the second gratuitous ARP burst after becoming master.
    public var garpMasterDelay: Duration
    /// `vrrp_garp_master_repeat`: gratuitous ARPs per burst.
    public var garpMasterRepeat: Int
    /// `vrrp_garp_master_refresh`: periodic gratuitous ARP while master; nil = off.
    public var garpMasterRefresh: Duration?
    /// `vrrp_garp_master_refresh_repeat`: gratuitous ARPs per refresh.
    public var garpMasterRefreshRepeat: Int
    /// `vrrp_garp_interval`: gap between gratuitous ARPs of one burst.
    public var garpInterval: Duration
    /// `vrrp_gna_interval`: gap between unsolicited neighbour adverts of one burst.
    public var gnaInterval: Duration
    /// `vrrp_garp_lower_prio_delay`: delay of the burst sent on a lower-priority advert; nil = use garpMasterDelay.
    public var garpLowerPriorityDelay: Duration?
    /// `vrrp_garp_lower_prio_repeat`: gratuitous ARPs sent on a lower-priority advert; nil = use garpMasterRepeat.
    public var garpLowerPriorityRepeat: Int?
    /// `vrrp_mcast_group4`: IPv4 multicast destination (RFC 5798 §5.1.1.2: 224.0.0.18).
    public var multicastGroup4: IPv4Address
    /// `vrrp_mcast_group6`: IPv6 multicast destination (RFC 5798 §5.1.2.2: ff02::12).
    public var multicastGroup6: IPv6Address
    /// `notify_fifo FILE`: the FIFO that receives `INSTANCE "name" STATE prio` lines.
    public var notifyFifo: String?
    /// `notify_fifo_script`: a script that reads the FIFO.
    public var notifyFifoScript: String?
    /// `max_auto_priority`: accepted; a runtime hint for the realtime scheduler.
    public var maxAutoPriority: Int?

    public init(routerID: String? = nil, scriptUser: String? = nil, scriptGroup: String? = nil,
                enableScriptSecurity: Bool = false, vrrpVersion: VRRPVersion = .v2, vrrpStrict: Bool = false,
                garpMasterDelay: Duration = .seconds(5), garpMasterRepeat: Int = 5,
                garpMasterRefresh: Duration? = nil, garpMasterRefreshRepeat: Int = 1,
                garpInterval: Duration = .zero, gnaInterval: Duration = .zero,
                garpLowerPriorityDelay: Duration? = nil, garpLowerPriorityRepeat: Int? = nil,
                multicastGroup4: IPv4Address = .vrrpMulticastGroup,
                multicastGroup6: IPv6Address = .vrrpMulticastGroup,
                notifyFifo: String? = nil, notifyFifoScript: String? = nil, maxAutoPriority: Int? = nil) {
        self.routerID = routerID
        self.scriptUser = scriptUser
        self.scriptGroup = scriptGroup
        self.enableScriptSecurity = enableScriptSecurity
        self.vrrpVersion = vrrpVersion
        self.vrrpStrict = vrrpStrict
        self.garpMasterDelay = garpMasterDelay
        self.garpMasterRepeat = garpMasterRepeat
        self.garpMasterRefresh = garpMasterRefresh
        self.garpMasterRefreshRepeat = garpMasterRefreshRepeat
        self.garpInterval = garpInterval
        self.gnaInterval = gnaInterval
        self.garpLowerPriorityDelay = garpLowerPriorityDelay
        self.garpLowerPriorityRepeat = garpLowerPriorityRepeat
        self.multicastGroup4 = multicastGroup4
        self.multicastGroup6 = multicastGroup6
        self.notifyFifo = notifyFifo
        self.notifyFifoScript = notifyFifoScript
        self.maxAutoPriority = maxAutoPriority
    }
}
