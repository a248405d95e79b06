import VRRPWire

/// Receiving an advertisement, per state (RFC 5798 §6.4.2–6.4.3, keepalived
/// `vrrp_state_backup` / `vrrp_state_master_rx`).
///
/// ```
///  BACKUP  priority 0 ────────────────> Master_Down_Timer = Skew_Time
///          ≥ ours, or nopreempt, or     reset Master_Down_Timer
///          preempt_delay running ─────> (v3: adopt the master's interval)
///          lower, preemptive ─────────> discard: the down timer runs out
///  MASTER  priority 0 / lower ────────> advertise now (+ announce, and again
///                                       after Master_Down_Interval)
///          higher / equal+higher addr ─> BACKUP: farewell advert, remove VIPs
/// ```
extension VirtualRouter {
    /// The most addresses an advert carries (the Count field is one byte; the codec
    /// sends the first 255).
    static var maximumAdvertisedAddresses: Int { 255 }

    /// An advertisement for this instance arrived from `source` (the IP source
    /// address, RFC 5798 §6.4.3 "primary IP address of the sender"). The codec has
    /// already validated TTL, checksum and length.
    public mutating func advertisementReceived(_ advert: Advertisement, from source: IPAddress, now: VRRPInstant) -> [VirtualRouterAction] {
        guard state != .initialize else { return [] }
        guard advert.virtualRouterID == configuration.virtualRouterID,
              source.family == configuration.family, source != configuration.primaryAddress else {
            statistics.foreignAdvertisement += 1
            return []
        }
        guard advert.version == configuration.version else {
            statistics.versionError += 1
            return []
        }
        if configuration.version == .v2 {
            guard advert.authentication.typeCode == configuration.authentication.typeCode else {
                statistics.authTypeMismatch += 1
                return []
            }
            guard advert.authentication == configuration.authentication else {
                statistics.authFailure += 1
                return []
            }
        }
        if advert.advertisementInterval != configuration.advertisementInterval {
            statistics.advertIntervalError += 1
            // RFC 3768 §7.1: a v2 router must drop it; RFC 5798 §6.4.2 lets a v3 backup adopt it.
            if configuration.version == .v2 { return [] }
        }
        // keepalived 2.2.7 (vrrp_check_packet: "received an unexpected ip number
        // count") drops an advert whose Count IPvX Addrs is not our number of VIPs, in
        // every state and at every priority, 0 and 255 included. So does this: a sender
        // without VIPs (Count 0) never makes a master step down or a backup stand by.
        guard advert.addresses.count == min(configuration.virtualAddresses.count, Self.maximumAdvertisedAddresses) else {
            statistics.addressListError += 1
            return [.peerConflict(.addressListMismatch(peer: source))]
        }
        var actions: [VirtualRouterAction] = []
        if !advert.priority.isRelease, advert.addresses != configuration.virtualAddresses,
           Set(advert.addresses) != Set(configuration.virtualAddresses) {
            statistics.addressListError += 1
            actions.append(.peerConflict(.addressListMismatch(peer: source)))
        }
        statistics.advertReceived += 1
        if advert.priority.isRelease { statistics.priorityZeroReceived += 1 }

        switch state {
        case .backup: backupReceived(advert, from: source, now: now, into: &actions)
        case .master: masterReceived(advert, from: source, now: now, into: &actions)
        case .fault, .initialize: break
        }
        return actions
    }

    private mutating func backupReceived(_ advert: Advertisement, from source: IPAddress, now: VRRPInstant, into actions: inout [VirtualRouterAction]) {
        if advert.priority.isRelease {
            // RFC 5798 §6.4.2: the master left; take over after Skew_Time.
            masterDownTimer = now + skewTime
            releasedBy = source
            return
        }
        if let master = masterAddress, source != master, let heard = masterHeardAt, now - heard <= masterDownInterval,
           let followed = masterPriority, advert.priority < followed,
           !(source == previousMaster && masterChangedAt.map { now - $0 <= masterDownInterval } ?? false) {
            actions.append(.peerConflict(.secondMaster(peer: source, priority: advert.priority, master: master)))
        }
        let lower = advert.priority < effectivePriority
        // keepalived 2.x (vrrp_state_backup): a master of higher or equal priority
        // stops the preempt delay; only a lower-priority advert starts it, if it is
        // not running — the delay counts from the moment we could preempt.
        if advert.priority >= effectivePriority {
            preemptDeadline = nil
        } else if configuration.preemptDelay > .zero, preemptDeadline == nil {
            preemptDeadline = now + configuration.preemptDelay
        }
        let delaying = preemptDeadline.map { now < $0 } ?? false
        guard !lower || configuration.nopreempt || delaying else {
            // Preemptive and lower priority: discard, the down timer expires on its own.
            return
        }
        if configuration.version == .v3 {
            masterAdvertisementInterval = advert.advertisementInterval
        }
        follow(source, priority: advert.priority, now: now)
        releasedBy = nil
        wantsMaster = false
        masterDownTimer = now + masterDownInterval
    }

    private mutating func masterReceived(_ advert: Advertisement, from source: IPAddress, now: VRRPInstant, into actions: inout [VirtualRouterAction]) {
        let theyWin = advert.priority > effectivePriority
            || (advert.priority == effectivePriority && source > configuration.primaryAddress)
        guard theyWin else {
            // A farewell advert comes right after we took over; later, the sender
            // has been master without hearing us.
            if !advert.priority.isRelease, let since = lastTransition?.at, now - since >= masterDownInterval {
                actions.append(.peerConflict(.concurrentMaster(peer: source, priority: advert.priority)))
            }
            // Priority 0 or a lower (or equal, lower-address) master: assert ourselves now
            // so the other side sees a better master and backups reset their timers.
            sendAdvertisement(priority: effectivePriority, into: &actions)
            advertisementTimer = now + masterAdvertisementInterval
            // The burst answers the other master's announcements; the one a
            // Master_Down_Interval later comes after its last: by then it has heard
            // our adverts and yielded, even when its own farewell advert was lost on
            // the way here. (A later lower-priority advert moves that burst on.)
            let n = configuration.announcements.lowerPriorityRepeat
            if n > 0 {
                actions.append(.announce(configuration.virtualAddresses,
                                         AnnounceSchedule(repeat: n, secondBurstAfter: masterDownInterval)))
            }
            return
        }
        // Deliberate difference from keepalived, which yields silently: one last advert
        // at our own priority tells the winner that someone else held the addresses
        // (healed split brain), so it answers with an advert and an announcement.
        sendAdvertisement(priority: effectivePriority, into: &actions)
        actions.append(.removeVirtualAddresses(configuration.virtualAddresses))
        statistics.releaseMaster += 1
        clearTimers()
        if configuration.version == .v3 {
            masterAdvertisementInterval = advert.advertisementInterval
        }
        follow(source, priority: advert.priority, now: now)
        transition(to: .backup, reason: .preemptedBy(source, priority: advert.priority), now: now, into: &actions)
        masterDownTimer = now + masterDownInterval
    }

    /// Records `source` as the master this router follows.
    private mutating func follow(_ source: IPAddress, priority: Priority, now: VRRPInstant) {
        if masterAddress != source {
            previousMaster = masterAddress
            masterChangedAt = now
        }
        masterAddress = source
        masterPriority = priority
        masterHeardAt = now
    }
}
