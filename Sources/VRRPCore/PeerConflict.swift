import VRRPWire

/// A fact about another router on this instance's VRID that plain VRRP would not
/// act on but that tells of a split brain or a VRID collision. The core only reports
/// it (as a `.peerConflict` action); the runtime counts episodes and logs them.
///
/// ```
///  MASTER  non-zero advert we outrank, after one
///          Master_Down_Interval as master ───────────> concurrentMaster
///  BACKUP  lower advert from a second sender while
///          the master is heard (not its predecessor) ─> secondMaster
///  any     advert whose address list differs ────────> addressListMismatch
/// ```
public enum PeerConflict: Hashable, Sendable, CustomStringConvertible {
    /// We are MASTER and `peer` advertises as a master too, with a priority we
    /// outrank (RFC 5798 §6.4.3 ignores it). A handover's farewell advert arrives
    /// within one Master_Down_Interval of becoming master and is not reported:
    /// after that, the other side must have been master without hearing us.
    case concurrentMaster(peer: IPAddress, priority: Priority)
    /// We are BACKUP following `master` (heard within one Master_Down_Interval) and
    /// `peer`, another sender, advertises at a lower priority than `master` — two
    /// masters on the segment. The master followed before the current one is exempt
    /// for one Master_Down_Interval after the change (its farewell advert).
    case secondMaster(peer: IPAddress, priority: Priority, master: IPAddress)
    /// `peer` advertises our VRID with another address list: another cluster uses
    /// our VRID (a VRID collision), or the nodes disagree on the VIPs.
    case addressListMismatch(peer: IPAddress)

    /// The sender the fact is about.
    public var peer: IPAddress {
        switch self {
        case let .concurrentMaster(peer, _), let .secondMaster(peer, _, _), let .addressListMismatch(peer): peer
        }
    }

    /// True for a VRID collision; false for a split brain (two masters).
    public var isVRIDCollision: Bool {
        if case .addressListMismatch = self { true } else { false }
    }

    public var description: String {
        switch self {
        case let .concurrentMaster(peer, priority):
            "\(peer) advertises as master with priority \(priority) while this node is MASTER"
        case let .secondMaster(peer, priority, master):
            "\(peer) advertises as master with priority \(priority) while \(master) is master"
        case let .addressListMismatch(peer):
            "\(peer) advertises this VRID with another virtual address list"
        }
    }
}
