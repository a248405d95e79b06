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

/// One `track_script` entry of an instance, with the `vrrp_script` settings that
/// decide when it counts as up or down.
public struct TrackedScript: Hashable, Sendable {
    /// The `vrrp_script` name; check results are reported under it.
    public var name: String
    /// -253…253. 0: the instance is FAULT while the script is down. > 0: added to the
    /// priority while up. < 0: subtracted while down.
    public var weight: Int
    /// keepalived `reverse`: the script's sense is inverted (a success counts as down).
    public var reverse: Bool
    /// Consecutive successes needed to go from down to up.
    public var rise: Int
    /// Consecutive failures needed to go from up to down.
    public var fall: Int
    /// keepalived `init_fail`: start down instead of "no result yet".
    public var initFail: Bool

    public init(name: String, weight: Int = 0, reverse: Bool = false, rise: Int = 1, fall: Int = 1, initFail: Bool = false) {
        self.name = name
        self.weight = weight
        self.reverse = reverse
        self.rise = rise
        self.fall = fall
        self.initFail = initFail
    }
}

/// One `track_interface` entry: the instance follows this link's state.
public struct TrackedInterface: Hashable, Sendable {
    /// Interface name as the kernel reports it.
    public var name: String
    /// 0: FAULT while the link is down; otherwise the same rules as a script weight.
    public var weight: Int
    /// keepalived `reverse`: a link that is up counts as down.
    public var reverse: Bool

    public init(name: String, weight: Int = 0, reverse: Bool = false) {
        self.name = name
        self.weight = weight
        self.reverse = reverse
    }
}

/// When to send gratuitous ARPs (IPv4) or unsolicited neighbour advertisements
/// (IPv6) for the virtual addresses. The core only says when a schedule starts;
/// the edge sends the frames.
public struct AnnouncementSettings: Hashable, Sendable {
    /// `garp_master_repeat`: frames per address sent at once on becoming MASTER.
    public var masterRepeat: Int
    /// `garp_master_delay`: when to send the second burst after becoming MASTER
    /// (nil: no second burst).
    public var masterDelay: Duration?
    /// `garp_master_refresh`: re-announce periodically while MASTER (nil: never).
    public var masterRefresh: Duration?
    /// `garp_master_refresh_repeat`: frames per address in each refresh.
    public var masterRefreshRepeat: Int
    /// `garp_lower_prio_repeat`: frames per address sent when a MASTER hears a
    /// lower-priority (or priority 0) advert, i.e. when another node may believe it
    /// owns the addresses. 0 disables. keepalived leaves this off by default; we
    /// default to `masterRepeat` so the winner of a healed split brain announces
    /// itself (keepalived #166, #2649).
    public var lowerPriorityRepeat: Int

    public init(
        masterRepeat: Int = 5,
        masterDelay: Duration? = .seconds(5),
        masterRefresh: Duration? = nil,
        masterRefreshRepeat: Int = 1,
        lowerPriorityRepeat: Int = 5
    ) {
        self.masterRepeat = masterRepeat
        self.masterDelay = masterDelay
        self.masterRefresh = masterRefresh
        self.masterRefreshRepeat = masterRefreshRepeat
        self.lowerPriorityRepeat = lowerPriorityRepeat
    }
}

/// The frames the edge should send for one announcement: `repeat` per address
/// now and, when `secondBurstAfter` is set, `repeat` more after that delay.
public struct AnnounceSchedule: Hashable, Sendable {
    /// Frames per address in each burst.
    public var `repeat`: Int
    /// Delay of the second burst (keepalived `garp_master_delay`), nil for none.
    public var secondBurstAfter: Duration?

    public init(repeat: Int, secondBurstAfter: Duration? = nil) {
        self.repeat = `repeat`
        self.secondBurstAfter = secondBurstAfter
    }
}
