import VRRPWire

/// A configuration adjustment or a questionable setting the core noticed. Each is
/// surfaced as a value (from `VirtualRouterConfiguration.normalized()` and as a
/// `.warn` action at start) so the runtime can log it and `check-config` can show it.
public enum VirtualRouterWarning: Hashable, Sendable, CustomStringConvertible {
    /// Why keepalived clears a preemption setting.
    public enum ClearingCause: String, Hashable, Sendable {
        /// `state MASTER` was configured.
        case initialStateMaster = "initial state MASTER"
        /// Priority 255: the address owner always preempts.
        case addressOwner = "priority 255"
    }

    /// `nopreempt` was cleared (keepalived does the same, with a warning).
    case nopreemptCleared(instance: String, cause: ClearingCause)
    /// `preempt_delay` was cleared (keepalived does the same, with a warning).
    case preemptDelayCleared(instance: String, cause: ClearingCause)
    /// `preempt_delay` has no meaning together with `nopreempt`; it was cleared.
    case preemptDelayIgnoredWithNopreempt(instance: String)
    /// `preempt_delay` outside 0…1000 s was clamped.
    case preemptDelayClamped(instance: String, configured: Duration, used: Duration)
    /// The advertisement interval cannot be carried by this version; it was adjusted.
    case advertisementIntervalAdjusted(instance: String, configured: Duration, used: Duration)
    /// `down_timer_adverts` outside 1…100 was clamped.
    case downTimerAdvertsClamped(instance: String, configured: Int, used: Int)
    /// A virtual address of the other family was dropped (one family per instance).
    case virtualAddressFamilyMismatch(instance: String, address: IPAddress)
    /// A tracked script or interface weight outside -253…253 was clamped.
    case weightClamped(instance: String, tracker: String, configured: Int, used: Int)
    /// VRRPv3 carries no authentication; the configured one is ignored.
    case authenticationIgnoredForV3(instance: String)

    public var description: String {
        switch self {
        case let .nopreemptCleared(i, cause):
            "(\(i)) nopreempt will not work with \(cause.rawValue) - clearing"
        case let .preemptDelayCleared(i, cause):
            "(\(i)) preempt_delay will not work with \(cause.rawValue) - clearing"
        case let .preemptDelayIgnoredWithNopreempt(i):
            "(\(i)) preempt_delay is incompatible with nopreempt - clearing preempt_delay"
        case let .preemptDelayClamped(i, c, u):
            "(\(i)) preempt_delay \(c) outside 0...1000 s - using \(u)"
        case let .advertisementIntervalAdjusted(i, c, u):
            "(\(i)) advert_int \(c) not representable - using \(u)"
        case let .downTimerAdvertsClamped(i, c, u):
            "(\(i)) down_timer_adverts \(c) outside 1...100 - using \(u)"
        case let .virtualAddressFamilyMismatch(i, a):
            "(\(i)) virtual address \(a) is not of the instance's family - ignored"
        case let .weightClamped(i, t, c, u):
            "(\(i)) weight \(c) of \(t) outside -253...253 - using \(u)"
        case let .authenticationIgnoredForV3(i):
            "(\(i)) authentication is not supported by VRRPv3 - ignored"
        }
    }
}
