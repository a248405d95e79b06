import Logging
import VRRPCore
import VRRPWire

/// Carries out the core's actions through the ports, in the order given. The core
/// already orders them (VIPs added before announcing; priority-0 advert before
/// VIP removal), so the executor never reorders; it hands one action's addresses
/// to the address port as one batch (`add(contentsOf:)`), still in order.
struct ActionExecutor: Sendable {
    let ports: EnginePorts
    let logger: Logger

    init(ports: EnginePorts, logger: Logger) {
        self.ports = ports
        self.logger = logger
    }

    func execute(_ action: VirtualRouterAction, instance: RuntimeInstance?, groupNotify: NotifySpec?, detail: String? = nil) {
        var log = logger
        if let instance {
            log[metadataKey: "vrrp.instance"] = "\(instance.name)"
            log[metadataKey: "vrrp.vrid"] = "\(instance.router.virtualRouterID)"
            log[metadataKey: "vrrp.interface"] = "\(instance.interface)"
        }
        switch action {
        case .sendAdvertisement(let advert):
            guard let instance else { return }
            let source = instance.router.primaryAddress
            for destination in instance.destinations {
                let payload = advert.encode(source: source, destination: destination)
                do {
                    try ports.sender.send(payload, interface: instance.interface, source: source, destination: destination)
                } catch {
                    log.error("cannot send advertisement to \(destination): \(error)")
                }
            }
        case .addVirtualAddresses(let addresses):
            guard let instance else { return }
            // One batch: a group of 1,000 VIPs is one state-file write and pipelined netlink.
            for failure in ports.addresses.add(contentsOf: specs(addresses, of: instance) + instance.excludedAddresses) {
                log.error("cannot add \(failure.address): \(failure.error)")
            }
        case .removeVirtualAddresses(let addresses):
            guard let instance else { return }
            // A second GARP burst (garp_master_delay) after stepping down would steal
            // the VIP's traffic from the new master.
            ports.announcer.cancelAnnouncements(virtualRouterID: instance.router.virtualRouterID)
            for failure in ports.addresses.remove(contentsOf: specs(addresses, of: instance) + instance.excludedAddresses) {
                log.error("cannot remove \(failure.address): \(failure.error)")
            }
        case .announce(let addresses, let schedule):
            guard let instance else { return }
            // virtual_ipaddress_excluded moves with the VIPs, so clients must learn it too.
            ports.announcer.announce(specs(addresses, of: instance) + instance.excludedAddresses,
                                     virtualRouterID: instance.router.virtualRouterID, schedule: schedule)
        case .notify(let notification):
            let why = detail.map { "\(notification.reason): \($0)" } ?? "\(notification.reason)"
            log.info("\(notification.scope.rawValue) \(notification.name) → \(notification.state.rawValue) priority \(notification.priority): \(why)")
            guard let spec = instance?.notify ?? groupNotify else { return }
            ports.notifier.enqueue(NotifyEvent(notification), spec: spec)
        case .warn(let warning):
            log.warning("\(warning)")
        }
    }

    private func specs(_ addresses: [IPAddress], of instance: RuntimeInstance) -> [VirtualAddressSpec] {
        addresses.map { address in
            instance.virtualAddresses.first { $0.address == address }
                ?? VirtualAddressSpec(address: address, interface: instance.interface)
        }
    }
}

extension NotifyEvent {
    /// The notify dispatcher's view of a core notification.
    init(_ core: VRRPCore.StateNotification) {
        self.init(scope: core.scope, name: core.name, state: core.state, priority: Int(core.priority.rawValue))
    }
}
