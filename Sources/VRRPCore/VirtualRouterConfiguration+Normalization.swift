import VRRPWire

extension VirtualRouterConfiguration {
    /// The configuration the core actually runs, after keepalived's adjustments
    /// (`vrrp_complete_instance`), and one warning per adjustment:
    /// - priority 255 clears `nopreempt` and acts as `state MASTER`;
    /// - `state MASTER` clears `nopreempt` and `preempt_delay`;
    /// - `nopreempt` clears `preempt_delay`;
    /// - intervals are made representable (v2 whole seconds 1…255, v3 centiseconds
    ///   1…4095), `down_timer_adverts` 1…100, weights -253…253, one address family.
    public func normalized() -> (configuration: VirtualRouterConfiguration, warnings: [VirtualRouterWarning]) {
        var c = self
        var warnings: [VirtualRouterWarning] = []

        if c.priority.isOwner {
            if c.nopreempt {
                c.nopreempt = false
                warnings.append(.nopreemptCleared(instance: name, cause: .addressOwner))
            }
            if c.initialState == .backup {
                c.initialState = .master
            }
            if c.preemptDelay > .zero {
                c.preemptDelay = .zero
                warnings.append(.preemptDelayCleared(instance: name, cause: .addressOwner))
            }
        } else if c.initialState == .master {
            if c.nopreempt {
                c.nopreempt = false
                warnings.append(.nopreemptCleared(instance: name, cause: .initialStateMaster))
            }
            if c.preemptDelay > .zero {
                c.preemptDelay = .zero
                warnings.append(.preemptDelayCleared(instance: name, cause: .initialStateMaster))
            }
        }
        if c.nopreempt, c.preemptDelay > .zero {
            c.preemptDelay = .zero
            warnings.append(.preemptDelayIgnoredWithNopreempt(instance: name))
        }
        if c.preemptDelay < .zero || c.preemptDelay > .seconds(1000) {
            let used = min(max(c.preemptDelay, .zero), .seconds(1000))
            warnings.append(.preemptDelayClamped(instance: name, configured: c.preemptDelay, used: used))
            c.preemptDelay = used
        }

        let interval = Self.representableInterval(c.advertisementInterval, version: c.version)
        if interval != c.advertisementInterval {
            warnings.append(.advertisementIntervalAdjusted(instance: name, configured: c.advertisementInterval, used: interval))
            c.advertisementInterval = interval
        }
        if !(1...100).contains(c.downTimerAdverts) {
            let used = min(max(c.downTimerAdverts, 1), 100)
            warnings.append(.downTimerAdvertsClamped(instance: name, configured: c.downTimerAdverts, used: used))
            c.downTimerAdverts = used
        }
        let wrongFamily = c.virtualAddresses.filter { $0.family != c.family }
        for address in wrongFamily {
            warnings.append(.virtualAddressFamilyMismatch(instance: name, address: address))
        }
        c.virtualAddresses.removeAll { $0.family != c.family }
        func clampedWeight(_ w: Int, tracker: String) -> Int {
            let used = min(max(w, -253), 253)
            if used != w { warnings.append(.weightClamped(instance: name, tracker: tracker, configured: w, used: used)) }
            return used
        }
        for i in c.trackedScripts.indices {
            c.trackedScripts[i].weight = clampedWeight(c.trackedScripts[i].weight, tracker: c.trackedScripts[i].name)
            c.trackedScripts[i].rise = max(1, c.trackedScripts[i].rise)
            c.trackedScripts[i].fall = max(1, c.trackedScripts[i].fall)
        }
        for i in c.trackedInterfaces.indices {
            c.trackedInterfaces[i].weight = clampedWeight(c.trackedInterfaces[i].weight, tracker: c.trackedInterfaces[i].name)
        }
        if c.version == .v3, c.authentication != .none {
            warnings.append(.authenticationIgnoredForV3(instance: name))
            c.authentication = .none
        }
        return (c, warnings)
    }

    /// The nearest interval the version's wire field can carry.
    static func representableInterval(_ interval: Duration, version: VRRPVersion) -> Duration {
        switch version {
        case .v2:
            let seconds = interval.components.seconds
            return .seconds(min(max(seconds, 1), 255))
        case .v3:
            let cs = interval.wholeCentiseconds
            return .milliseconds(min(max(cs, 1), 4095) * 10)
        }
    }
}
