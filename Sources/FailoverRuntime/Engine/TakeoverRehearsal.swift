import VRRPCore
import VRRPWire

/// The takeover path, run once at start-up with no effect: each instance's advert is
/// encoded and sent with a flag that keeps it off the wire (`MSG_PROBE`), and its
/// first announcement round is sent with zero-length frames. No address request is
/// made: nothing here could put a VIP on a backup.
///
/// Why: the first time a Swift process runs a code path it pays one-time costs —
/// generic type metadata instantiated from mangled names, protocol conformance
/// lookups, code pages faulted in. A backup's first takeover is exactly the one that
/// matters, so the daemon pays these costs at start-up instead.
struct TakeoverRehearsal {
    let ports: EnginePorts

    /// Rehearses every instance of `contexts` (one advert per destination, one
    /// announcement round of all its addresses).
    func run(_ contexts: [InstanceContext]) {
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
            ports.announcer.rehearseAnnouncement(context.specs(router.virtualAddresses) + instance.excludedAddresses)
        }
    }
}
