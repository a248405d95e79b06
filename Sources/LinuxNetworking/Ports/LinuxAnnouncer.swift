import FailoverRuntime
import Logging
import Synchronization
import VRRPCore
import VRRPWire

/// The runtime's announcement port: gratuitous ARPs / unsolicited NAs per
/// interface. The first round goes out at once; the rest of each schedule waits in
/// one `AnnouncementQueue` for the whole node. A new schedule for the same virtual
/// router replaces the one still pending (a master that re-announces starts over;
/// one that stepped down stops announcing).
public final class LinuxAnnouncer: NeighborAnnouncing, Sendable {
    /// A schedule's later rounds (`part` 0) or one first-round part sent in the
    /// background (`part` > 0, unique).
    private struct Key: Hashable { var interface: String; var vrid: VirtualRouterID; var part = 0 }
    private let parts = Atomic<Int>(0)
    private let announcers = Mutex<[String: NeighborAnnouncer]>([:])
    private let pending = AnnouncementQueue<Key>()
    private let logger: Logger

    public init(logger: Logger) { self.logger = logger }

    /// Opens the announcement sockets of `interfaces` now, so the first gratuitous
    /// ARP after a takeover does not wait for two sockets and three interface lookups
    /// (about a millisecond). An interface that does not exist yet is skipped: its
    /// announcer is made at its first announcement.
    public func prepare(interfaces: some Sequence<String>) {
        for interface in interfaces {
            _ = try? announcer(for: interface)
        }
    }

    private func announcer(for interface: String) throws -> NeighborAnnouncer {
        try announcers.withLock { cache in
            if let a = cache[interface] { return a }
            let a = try NeighborAnnouncer(interface: interface)
            cache[interface] = a
            return a
        }
    }

    /// A send that failed may mean the interface was recreated (new index, new MAC):
    /// the next announcement opens a fresh announcer.
    private func forget(_ failed: NeighborAnnouncer) {
        announcers.withLock { cache in
            if cache[failed.interface] === failed { cache[failed.interface] = nil }
        }
    }

    public func announce(_ addresses: [VirtualAddressSpec], virtualRouterID: VirtualRouterID, schedule: AnnounceSchedule) {
        announce(addresses, virtualRouterID: virtualRouterID, schedule: schedule, firstRoundSent: false)
    }

    public func announceFirstRound(_ addresses: [VirtualAddressSpec], virtualRouterID: VirtualRouterID, inBackground: Bool) {
        firstRound(addresses, virtualRouterID: virtualRouterID, inBackground: inBackground, rehearsal: false)
    }

    /// One round per interface, now or queued; a rehearsal hands the frames to the
    /// kernel in a form it refuses (`NeighborAnnouncer.rehearse`) on the same path.
    private func firstRound(_ addresses: [VirtualAddressSpec], virtualRouterID: VirtualRouterID, inBackground: Bool,
                            rehearsal: Bool) {
        for (interface, specs) in Dictionary(grouping: addresses, by: \.interface) {
            guard let send = roundSender(specs, on: interface, rehearsal: rehearsal) else { continue }
            guard inBackground else { send(); continue }
            let part = parts.add(1, ordering: .relaxed).newValue
            pending.schedule(.init(rounds: 1, send: send), for: Key(interface: interface, vrid: virtualRouterID, part: part))
        }
    }

    public func announce(_ addresses: [VirtualAddressSpec], virtualRouterID: VirtualRouterID, schedule: AnnounceSchedule,
                         firstRoundSent: Bool) {
        let rounds = max(0, schedule.repeat)
        let delay = schedule.secondBurstAfter ?? .zero
        guard rounds > 0 else { return }
        for (interface, specs) in Dictionary(grouping: addresses, by: \.interface) {
            guard let send = roundSender(specs, on: interface) else { continue }
            // The first round of the first burst goes out before this returns (unless
            // `announceFirstRound` sent it already): it must follow the VIP add that
            // preceded it and never wait for a thread to be scheduled. The burst's other
            // rounds follow from the queue, so a group of 1,000 VIPs (about 10 ms per
            // round) does not hold the engine for 5 rounds.
            if !firstRoundSent { send() }
            let job = AnnouncementQueue<Key>.Job(
                rounds: rounds - 1,
                then: delay > .zero ? (after: delay, rounds: rounds) : nil,
                send: send)
            pending.schedule(job, for: Key(interface: interface, vrid: virtualRouterID))
        }
    }

    /// A closure sending one round for `specs` on `interface` (a rehearsal's frames
    /// are refused by the kernel); nil, logged, when no announcer can be opened there.
    /// A send that fails drops the announcer (see `forget`).
    private func roundSender(_ specs: [VirtualAddressSpec], on interface: String,
                             rehearsal: Bool = false) -> (@Sendable () -> Void)? {
        let announcer: NeighborAnnouncer
        do {
            announcer = try self.announcer(for: interface)
        } catch {
            if !rehearsal { logger.error("cannot announce \(specs.map(\.address)) on \(interface): \(error)") }
            return nil
        }
        let list = specs.map(\.address)
        let logger = logger
        return { [weak self] in
            if rehearsal { return announcer.rehearse(list) }
            do { try announcer.announce(list) } catch {
                logger.error("announcement of \(list) on \(interface) failed: \(error)")
                self?.forget(announcer)
            }
        }
    }

    /// The first-round path of a takeover (`announceFirstRound`), with frames the
    /// kernel refuses.
    public func rehearseAnnouncement(_ addresses: [VirtualAddressSpec]) {
        firstRound(addresses, virtualRouterID: Self.rehearsalRouter, inBackground: false, rehearsal: true)
    }

    private static let rehearsalRouter = VirtualRouterID(1)!

    /// Stops the pending bursts of `virtualRouterID` on every interface.
    public func cancelAnnouncements(virtualRouterID: VirtualRouterID) {
        pending.cancel { $0.vrid == virtualRouterID }
    }

    /// Stops every pending burst.
    public func cancelAll() {
        pending.cancel { _ in true }
    }

    /// Schedules still waiting (for tests and diagnostics).
    public var pendingSchedules: Int { pending.pending }
}
