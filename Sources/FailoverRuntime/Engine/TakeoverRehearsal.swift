import VRRPCore
import VRRPWire

/// The takeover path, run once at start-up with no effect: each instance's advert is
/// encoded and sent with a flag that keeps it off the wire (`MSG_PROBE`); on the
/// thread where a takeover's addresses are added (`AddressChangeQueue`), its VIPs go
/// through the add path with a harmless lookup in place of each add
/// (`VirtualAddressManager.rehearseAdd`), and each part reported goes through the
/// first announcement round with zero-length frames. No address request is made:
/// nothing here could put a VIP on a backup.
///
/// Why: the first time a Swift process runs a code path it pays one-time costs —
/// generic type metadata instantiated from mangled names, protocol conformance
/// lookups, code pages faulted in. Without the address part, a backup's first
/// takeover sends its first gratuitous ARP about 0.3 ms later than keepalived does
/// (docs/benchmark.md, row 1). A backup's first takeover is exactly the one that
/// matters, so the daemon pays these costs at start-up instead.
struct TakeoverRehearsal {
    let ports: EnginePorts
    let addressChanges: AddressChangeQueue

    /// Rehearses every instance of `contexts` (one advert per destination; all its
    /// addresses through the add path, each part through an announcement round).
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
            let addresses = context.specs(router.virtualAddresses) + instance.excludedAddresses
            let ports = ports
            addressChanges.submit {
                ports.addresses.rehearseAdd(contentsOf: addresses) { part in ports.announcer.rehearseAnnouncement(part) }
            }
        }
    }
}
