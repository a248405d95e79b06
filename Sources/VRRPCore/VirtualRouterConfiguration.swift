import VRRPWire

/// Everything one `vrrp_instance` tells the protocol core. A value: the runtime
/// builds it from the validated keepalived.conf model; the core never parses text.
///
/// Use `normalized()` (done by `VirtualRouter.init`) to apply keepalived's silent
/// adjustments; each one is reported as a `VirtualRouterWarning`.
public struct VirtualRouterConfiguration: Hashable, Sendable {
    /// The `vrrp_instance` name, used in notifications (`INSTANCE <name> …`).
    public var name: String
    /// VRID, RFC 5798 §5.2.3.
    public var virtualRouterID: VirtualRouterID
    /// RFC 3768 (v2) or RFC 5798 (v3).
    public var version: VRRPVersion
    /// The address family of the adverts and of every virtual address.
    public var family: AddressFamily
    /// Configured (base) priority, RFC 5798 §5.2.4; tracking adjusts the effective one.
    public var priority: Priority
    /// Advertisement_Interval, RFC 5798 §6.1 (v2: whole seconds, v3: centiseconds).
    public var advertisementInterval: Duration
    /// This router's primary address on the segment: the source of its adverts and
    /// the tie-breaker between equal priorities (RFC 5798 §6.4.3).
    public var primaryAddress: IPAddress
    /// The virtual addresses (VIPs) this router owns while MASTER.
    public var virtualAddresses: [IPAddress]
    /// v2 authentication (RFC 3768 §5.3.6); `.none` for v3.
    public var authentication: Authentication
    /// keepalived `state`: where the instance wants to be at startup.
    public var initialState: InitialState
    /// keepalived `nopreempt`: a higher-priority backup does not take over a live master.
    public var nopreempt: Bool
    /// keepalived `preempt_delay` (0…1000 s): how long a higher-priority backup keeps
    /// accepting a lower-priority master, counted from the first such advert.
    public var preemptDelay: Duration
    /// keepalived `track_script` entries.
    public var trackedScripts: [TrackedScript]
    /// keepalived `track_interface` entries.
    public var trackedInterfaces: [TrackedInterface]
    /// Gratuitous ARP / unsolicited NA schedule (`garp_master_*`).
    public var announcements: AnnouncementSettings
    /// keepalived `down_timer_adverts`: adverts missed before the master is declared
    /// down (RFC 5798 fixes it at 3).
    public var downTimerAdverts: Int
    /// RFC 5798 §6.1 Accept_Mode: whether a master accepts packets for the VIPs it
    /// does not own. Carried for the runtime; it does not change elections.
    public var acceptMode: Bool

    /// keepalived `state MASTER` / `state BACKUP`.
    public enum InitialState: String, Hashable, Sendable {
        case backup = "BACKUP"
        case master = "MASTER"
    }

    public init(
        name: String,
        virtualRouterID: VirtualRouterID,
        version: VRRPVersion = .v2,
        family: AddressFamily? = nil,
        priority: Priority = .default,
        advertisementInterval: Duration = .seconds(1),
        primaryAddress: IPAddress,
        virtualAddresses: [IPAddress],
        authentication: Authentication = .none,
        initialState: InitialState = .backup,
        nopreempt: Bool = false,
        preemptDelay: Duration = .zero,
        trackedScripts: [TrackedScript] = [],
        trackedInterfaces: [TrackedInterface] = [],
        announcements: AnnouncementSettings = .init(),
        downTimerAdverts: Int = 3,
        acceptMode: Bool = true
    ) {
        self.name = name
        self.virtualRouterID = virtualRouterID
        self.version = version
        self.family = family ?? primaryAddress.family
        self.priority = priority
        self.advertisementInterval = advertisementInterval
        self.primaryAddress = primaryAddress
        self.virtualAddresses = virtualAddresses
        self.authentication = authentication
        self.initialState = initialState
        self.nopreempt = nopreempt
        self.preemptDelay = preemptDelay
        self.trackedScripts = trackedScripts
        self.trackedInterfaces = trackedInterfaces
        self.announcements = announcements
        self.downTimerAdverts = downTimerAdverts
        self.acceptMode = acceptMode
    }
}
