import VRRPCore
import VRRPWire

/// The takeover path, run with no effect — at start-up for every instance, and again
/// shortly before a backup's takeover is due (`FailoverEngine.warmUpDueTakeovers`,
/// which keeps it in the CPU's caches): each instance's advert is
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
///
/// The address part goes through the batch port's report-then-announce path, which a
/// takeover of more than one netlink window takes (`ActionExecutor.addAndAnnounce`);
/// smaller takeovers add, then announce, which runs the same add and round code.
///
/// The address part runs where real address changes run (`AddressChangeQueue`): in
/// the daemon that is the thread a takeover's VIPs are added on, and the engine never
/// waits there for the netlink socket while a large group is being added.
struct TakeoverRehearsal {
    let ports: EnginePorts
    let addressChanges: AddressChangeQueue

    /// Rehearses every instance of `contexts` (one advert per destination, all VIPs or
    /// the first `addressLimit` of them). An array, not any collection: the start-up
    /// rehearsal and the warm-up then run one specialization, which the start-up
    /// places among the daemon's hot code (`scripts/link-order`); the warm-up's own
    /// generic specialization sat in the cold part of `.text` and faulted in about
    /// 0.3 MiB of it (docs/benchmark.md, row 3).
    func run(_ contexts: [InstanceContext], addressLimit: Int = .max) {
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
            // Each window's first round from the add's report (see the type's comment).
            let ports = ports
            addressChanges.submit {
                ports.addresses.rehearseAdd(contentsOf: addresses) { part in
                    ports.announcer.rehearseAnnouncement(part)
                }
            }
        }
    }
}
