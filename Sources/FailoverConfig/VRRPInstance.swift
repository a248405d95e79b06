import VRRPWire

/// A `vrrp_instance`: one virtual router on one interface (RFC 5798 §6.1 parameters
/// plus keepalived's extensions).
public struct VRRPInstance: Hashable, Sendable {
    /// The block's name (notify scripts get `INSTANCE <name>`; reload matches by it).
    public var name: String
    /// `state`: initial state; keepalived starts every instance BACKUP unless MASTER is asked.
    public var state: InitialState
    /// `interface`: where adverts are sent and VIPs live by default.
    public var interface: String
    /// `virtual_router_id` (VRID, 1–255), unique per interface and address family.
    public var virtualRouterID: VirtualRouterID
    /// `priority` (1–255; 255 = address owner). Default 100.
    public var priority: Priority
    /// `advert_int`: Advertisement_Interval (default 1 s; v2 whole seconds, v3 centiseconds).
    public var advertisementInterval: Duration
    /// `version`: nil = `global_defs`' `vrrp_version`.
    public var version: VRRPVersion?
    /// `nopreempt` / `preempt_delay`.
    public var preemption: Preemption
    /// `virtual_ipaddress`: the VIPs carried in adverts (one address family).
    public var virtualIPAddresses: [VirtualIPAddress]
    /// `virtual_ipaddress_excluded`: VIPs added/removed with the state but not advertised.
    public var excludedVirtualIPAddresses: [VirtualIPAddress]
    /// `track_script`.
    public var trackScripts: [TrackEntry]
    /// `track_interface`.
    public var trackInterfaces: [TrackEntry]
    /// `unicast_src_ip`: source address of unicast adverts.
    public var unicastSourceIP: IPAddress?
    /// `unicast_peer { … }`: non-empty switches the instance to unicast adverts.
    public var unicastPeers: [IPAddress]
    /// `mcast_src_ip`: source address of multicast adverts (default: interface primary).
    public var multicastSourceIP: IPAddress?
    /// `authentication { auth_type PASS; auth_pass … }` (VRRPv2 only).
    public var authentication: Authentication
    /// `garp_master_delay`: nil = the global `vrrp_garp_master_delay`.
    public var garpMasterDelay: Duration?
    /// `garp_master_repeat`: nil = the global value.
    public var garpMasterRepeat: Int?
    /// `garp_master_refresh`: nil = the global value.
    public var garpMasterRefresh: Duration?
    /// `notify*` commands.
    public var notifyScripts: NotifyScripts
    /// `accept` / `no_accept` (RFC 5798 Accept_Mode); nil = keepalived's default
    /// (accept, unless `vrrp_strict`).
    public var accept: Bool?
    /// `down_timer_adverts`: adverts missed before Master_Down (1–100, default 3).
    public var downTimerAdverts: Int

    public init(name: String, state: InitialState = .backup, interface: String,
                virtualRouterID: VirtualRouterID, priority: Priority = .default,
                advertisementInterval: Duration = .seconds(1), version: VRRPVersion? = nil,
                preemption: Preemption = .immediate, virtualIPAddresses: [VirtualIPAddress] = [],
                excludedVirtualIPAddresses: [VirtualIPAddress] = [], trackScripts: [TrackEntry] = [],
                trackInterfaces: [TrackEntry] = [], unicastSourceIP: IPAddress? = nil,
                unicastPeers: [IPAddress] = [], multicastSourceIP: IPAddress? = nil,
                authentication: Authentication = .none, garpMasterDelay: Duration? = nil,
                garpMasterRepeat: Int? = nil, garpMasterRefresh: Duration? = nil,
                notifyScripts: NotifyScripts = NotifyScripts(), accept: Bool? = nil, downTimerAdverts: Int = 3) {
        self.name = name
        self.state = state
        self.interface = interface
        self.virtualRouterID = virtualRouterID
        self.priority = priority
        self.advertisementInterval = advertisementInterval
        self.version = version
        self.preemption = preemption
        self.virtualIPAddresses = virtualIPAddresses
        self.excludedVirtualIPAddresses = excludedVirtualIPAddresses
        self.trackScripts = trackScripts
        self.trackInterfaces = trackInterfaces
        self.unicastSourceIP = unicastSourceIP
        self.unicastPeers = unicastPeers
        self.multicastSourceIP = multicastSourceIP
        self.authentication = authentication
        self.garpMasterDelay = garpMasterDelay
        self.garpMasterRepeat = garpMasterRepeat
        self.garpMasterRefresh = garpMasterRefresh
        self.notifyScripts = notifyScripts
        self.accept = accept
        self.downTimerAdverts = downTimerAdverts
    }

    /// The address family of the instance: that of its first VIP (IPv4 when it has none).
    public var addressFamily: AddressFamily {
        virtualIPAddresses.first?.address.family ?? .ipv4
    }

    /// The version in force given the global default.
    public func effectiveVersion(_ globals: GlobalDefinitions) -> VRRPVersion {
        version ?? globals.vrrpVersion
    }
}

/// One `virtual_ipaddress` line: `ADDR[/PREFIX] [dev IF] [label LABEL] [scope SCOPE]`.
public struct VirtualIPAddress: Hashable, Sendable, CustomStringConvertible {
    /// The address.
    public var address: IPAddress
    /// `/PREFIX`; nil = host route (/32, /128), as keepalived.
    public var prefixLength: Int?
    /// `dev IF`; nil = the instance's interface.
    public var device: String?
    /// `label LABEL` (IPv4 alias label).
    public var label: String?
    /// `scope SCOPE` (`global`, `site`, `link`, `host`, `nowhere` or a number).
    public var scope: String?

    public init(address: IPAddress, prefixLength: Int? = nil, device: String? = nil,
                label: String? = nil, scope: String? = nil) {
        self.address = address
        self.prefixLength = prefixLength
        self.device = device
        self.label = label
        self.scope = scope
    }

    /// The line as keepalived.conf writes it.
    public var description: String {
        var text = address.description
        if let prefixLength { text += "/\(prefixLength)" }
        if let device { text += " dev \(device)" }
        if let label { text += " label \(label)" }
        if let scope { text += " scope \(scope)" }
        return text
    }
}
