import Logging
import Synchronization
import VRRPCore
import VRRPWire

/// Carries out the core's actions through the ports, in the order given. The core
/// already orders them (VIPs added before announcing; priority-0 advert before
/// VIP removal), so the executor never reorders; it hands one action's addresses
/// to the address port as one batch (`add(contentsOf:)`), still in order.
///
/// Adverts and notifies are carried out on the caller (the engine), which stages the
/// adverts of one event and sends them together before any other action and at the
/// event's end (`stage`, `send`): one `sendmmsg` for all the adverts due in one tick,
/// each still before the address change that follows it. Address changes
/// and announcements go to `addressChanges`, which runs them in submission order —
/// in the daemon on a thread of their own, so that adding 1,000 VIPs never holds up
/// an advert (`AddressChangeQueue`).
struct ActionExecutor: Sendable {
    let ports: EnginePorts
    let logger: Logger
    let addressChanges: AddressChangeQueue

    init(ports: EnginePorts, logger: Logger, addressChanges: AddressChangeQueue) {
        self.ports = ports
        self.logger = logger
        self.addressChanges = addressChanges
    }

    func execute(_ action: VirtualRouterAction, context: InstanceContext?, groupNotify: NotifySpec?, detail: String? = nil) {
        // Read only where a line is logged: a Logger copy costs several retains, and
        // every advert of every master comes through here.
        var log: Logger { context?.logger ?? logger }
        switch action {
        case .sendAdvertisement(let advert):
            // The engine stages adverts and sends them together (`stage`, `send`).
            guard let context else { return }
            var outbox = AdvertOutbox()
            stage(advert, context: context, in: &outbox)
            send(&outbox)
        case .addVirtualAddresses(let addresses):
            guard let context else { return }
            // One batch: a group of 1,000 VIPs is one state-file write and pipelined netlink.
            let specs = context.specs(addresses) + context.instance.excludedAddresses
            let ports = ports
            addressChanges.submit {
                for failure in ports.addresses.add(contentsOf: specs) {
                    context.logger.error("cannot add \(failure.address): \(failure.error)")
                }
            }
        case .removeVirtualAddresses(let addresses):
            guard let context else { return }
            let vrid = context.instance.router.virtualRouterID
            let specs = context.specs(addresses) + context.instance.excludedAddresses
            let ports = ports
            // A second GARP burst (garp_master_delay) after stepping down would steal
            // the VIP's traffic from the new master: the bursts already scheduled stop
            // now, and those an add still waiting in the queue schedules stop when the
            // removal's turn comes.
            ports.announcer.cancelAnnouncements(virtualRouterID: vrid)
            addressChanges.submit {
                ports.announcer.cancelAnnouncements(virtualRouterID: vrid)
                for failure in ports.addresses.remove(contentsOf: specs) {
                    context.logger.error("cannot remove \(failure.address): \(failure.error)")
                }
            }
        case .announce(let addresses, let schedule):
            guard let context else { return }
            // virtual_ipaddress_excluded moves with the VIPs, so clients must learn it too.
            let specs = context.specs(addresses) + context.instance.excludedAddresses
            let vrid = context.instance.router.virtualRouterID
            let ports = ports
            // Queued behind any add still waiting: an announcement follows its addresses.
            addressChanges.submit { ports.announcer.announce(specs, virtualRouterID: vrid, schedule: schedule) }
        case .notify(let notification):
            let why = detail.map { "\(notification.reason): \($0)" } ?? "\(notification.reason)"
            log.info("\(notification.scope.rawValue) \(notification.name) → \(notification.state.rawValue) priority \(notification.priority): \(why)")
            // Instances only: a group's change is recorded by its members' own.
            let sequence = notification.scope == .instance
                ? ports.notifier.transitionHistory?.record(notification, detail: detail) : nil
            guard let spec = context?.instance.notify ?? groupNotify else { return }
            var event = NotifyEvent(notification)
            event.transition = sequence
            ports.notifier.enqueue(event, spec: spec)
        case .warn(let warning):
            log.warning("\(warning)")
        case .peerConflict:
            // Counted and logged per episode by the engine, which never hands it here.
            break
        }
    }
}

/// Adverts staged for one `AdvertisementSender.send(batch:)`, with the instance each
/// came from (for the log line of one that fails).
struct AdvertOutbox {
    var adverts: [OutgoingAdvertisement] = []
    var contexts: [InstanceContext] = []

    var isEmpty: Bool { adverts.isEmpty }
}

extension ActionExecutor {
    /// Adds `advert`, encoded for each of the instance's destinations, to `outbox`.
    /// The hot path (every advert of every master): read through the context object
    /// instead of copying the instance value.
    func stage(_ advert: Advertisement, context: InstanceContext, in outbox: inout AdvertOutbox) {
        let source = context.instance.router.primaryAddress
        for (destination, payload) in zip(context.instance.destinations, context.payloads(for: advert)) {
            outbox.adverts.append(OutgoingAdvertisement(payload: payload, interface: context.instance.interface,
                                                        source: source, destination: destination))
            outbox.contexts.append(context)
        }
    }

    /// Sends what `outbox` holds, in order, and empties it keeping its storage.
    func send(_ outbox: inout AdvertOutbox) {
        guard !outbox.isEmpty else { return }
        for failure in ports.sender.send(batch: outbox.adverts) {
            outbox.contexts[failure.index].logger.error(
                "cannot send advertisement to \(outbox.adverts[failure.index].destination): \(failure.error)")
        }
        outbox.adverts.removeAll(keepingCapacity: true)
        outbox.contexts.removeAll(keepingCapacity: true)
    }
}

extension ActionExecutor {
    /// Groups larger than this (the netlink window) are announced part by part.
    static let pipelinedGroupSize = 64

    /// `.addVirtualAddresses` followed by `.announce` of the same addresses (a
    /// takeover): the first round announces each part the kernel has confirmed — the
    /// first part at once, on the thread that added it, as a single VIP's GARP must
    /// follow its add at once; later parts (a group larger than one netlink window)
    /// from the announcer's thread while the next part is added. Then the rest of the schedule. For 1,000
    /// VIPs the adds and the first round of NAs (~25 ms and ~10 ms here) overlap
    /// instead of adding up.
    ///
    /// A group that fits one netlink window gains nothing from this and takes the
    /// plain path (add, then announce): on the single-VIP takeover the extra reporting
    /// measured 20–50 µs more between the advert and the first GARP.
    ///
    /// The whole of it is one change on `addressChanges`.
    func addAndAnnounce(_ addresses: [IPAddress], schedule: AnnounceSchedule, context: InstanceContext) {
        let specs = context.specs(addresses) + context.instance.excludedAddresses
        let ports = ports
        addressChanges.submit { Self.addAndAnnounce(specs, schedule: schedule, context: context, ports: ports) }
    }

    private static func addAndAnnounce(_ specs: [VirtualAddressSpec], schedule: AnnounceSchedule, context: InstanceContext,
                                       ports: EnginePorts) {
        let vrid = context.instance.router.virtualRouterID
        guard specs.count > Self.pipelinedGroupSize else {
            for failure in ports.addresses.add(contentsOf: specs) {
                context.logger.error("cannot add \(failure.address): \(failure.error)")
            }
            ports.announcer.announce(specs, virtualRouterID: vrid, schedule: schedule)
            return
        }
        var parts = 0
        let failures = ports.addresses.add(contentsOf: specs) { applied in
            ports.announcer.announceFirstRound(applied, virtualRouterID: vrid, inBackground: parts > 0)
            parts += 1
        }
        for failure in failures {
            context.logger.error("cannot add \(failure.address): \(failure.error)")
        }
        // The whole group is announced: a failed add is logged above.
        if !failures.isEmpty {
            ports.announcer.announceFirstRound(failures.map(\.address), virtualRouterID: vrid, inBackground: parts > 0)
        }
        ports.announcer.announce(specs, virtualRouterID: vrid, schedule: schedule, firstRoundSent: true)
    }
}

extension NotifyEvent {
    /// The notify dispatcher's view of a core notification.
    init(_ core: VRRPCore.StateNotification) {
        self.init(scope: core.scope, name: core.name, state: core.state, priority: Int(core.priority.rawValue))
    }
}

/// One instance as the executor needs it on every action, built once per plan: the
/// runtime settings and a logger that already carries the instance's metadata
/// (setting logger metadata per action showed up as a tenth of the steady-state CPU).
final class InstanceContext: Sendable {
    let instance: RuntimeInstance
    let logger: Logger

    init(instance: RuntimeInstance, logger base: Logger) {
        self.instance = instance
        var logger = base
        logger[metadataKey: "vrrp.instance"] = "\(instance.name)"
        logger[metadataKey: "vrrp.vrid"] = "\(instance.router.virtualRouterID)"
        logger[metadataKey: "vrrp.interface"] = "\(instance.interface)"
        self.logger = logger
        specByAddress = Dictionary(instance.virtualAddresses.map { ($0.address, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// The kernel-side details of each virtual address (first entry wins, as before).
    private let specByAddress: [IPAddress: VirtualAddressSpec]

    /// The configured spec of each address (dev/label/scope), or a plain one on the
    /// instance's interface.
    func specs(_ addresses: [IPAddress]) -> [VirtualAddressSpec] {
        addresses.map { specByAddress[$0] ?? VirtualAddressSpec(address: $0, interface: instance.interface) }
    }

    /// The last advert sent and its encoding per destination: a master sends the same
    /// advert every interval until its priority or addresses change, so it is encoded
    /// (and its checksum computed) once, not ten times a second.
    private let lastAdvert = Mutex<(advert: Advertisement, payloads: [[UInt8]])?>(nil)

    /// `advert` encoded for each of `instance.destinations`, in order.
    func payloads(for advert: Advertisement) -> [[UInt8]] {
        if let cached = lastAdvert.withLock({ $0 }), cached.advert == advert { return cached.payloads }
        let source = instance.router.primaryAddress
        let payloads = instance.destinations.map { advert.encode(source: source, destination: $0) }
        lastAdvert.withLock { $0 = (advert, payloads) }
        return payloads
    }
}
