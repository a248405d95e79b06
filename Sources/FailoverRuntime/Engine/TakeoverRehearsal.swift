import VRRPCore
import VRRPWire

/// The takeover path, run once at start-up with no effect: each instance's advert is
/// encoded and sent with a flag that keeps it off the wire (`MSG_PROBE`), its VIPs go
/// to the kernel as requests it refuses (an impossible prefix length), and its first
/// announcement round is sent with zero-length frames.
///
/// Why: the first time a Swift process runs a code path it pays one-time costs —
/// generic type metadata instantiated from mangled names, protocol conformance
/// lookups, code pages faulted in. Measured on the first takeover of a backup that
/// had never been master: about 0.4 ms between the takeover advert and the first
/// gratuitous ARP, and part of the advert's own delay. keepalived, in C, has none of
/// that. A backup's first takeover is exactly the one that matters, so the daemon
/// pays these costs at start-up instead.
struct TakeoverRehearsal {
    let ports: EnginePorts

    /// Rehearses every instance of `contexts` (one advert per destination, all VIPs or
    /// the first `addressLimit` of them).
    func run(_ contexts: some Collection<InstanceContext>, addressLimit: Int = .max) {
        for context in contexts {
            let instance = context.instance
            let router = instance.router
            let advert = Advertisement(
                version: router.version, virtualRouterID: router.virtualRouterID, priority: router.priority,
                advertisementInterval: router.advertisementInterval, addresses: router.virtualAddresses,
                authentication: router.authentication)
            let source = router.primaryAddress
            for destination in instance.destinations {
                ports.sender.rehearseSend(advert.encode(source: source, destination: destination),
                                          interface: instance.interface, source: source, destination: destination)
            }
            let addresses = Array((context.specs(router.virtualAddresses) + instance.excludedAddresses).prefix(addressLimit))
            // As on a takeover (ActionExecutor.addAndAnnounce): each window's
            // announcement from the add's report.
            ports.addresses.rehearseAdd(contentsOf: addresses) { part in
                ports.announcer.rehearseAnnouncement(part)
            }
        }
    }
}
