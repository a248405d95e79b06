import FailoverRuntime
import Synchronization
import VRRPCore
import VRRPWire

/// One call on a runtime port, in the order the engine made it.
public enum PortCall: Hashable, Sendable, CustomStringConvertible {
    case send(advertisement: Advertisement, interface: String, destination: IPAddress)
    case addAddress(VirtualAddressSpec)
    case removeAddress(VirtualAddressSpec)
    case announce([VirtualAddressSpec], AnnounceSchedule)
    /// One first-round part sent ahead of the schedule (`announceFirstRound`).
    case announceFirstRound([VirtualAddressSpec], inBackground: Bool)
    case notify(NotifyEvent)

    public var description: String {
        switch self {
        case let .send(a, i, d): "send prio \(a.priority) vrid \(a.virtualRouterID) on \(i) to \(d)"
        case let .addAddress(s): "add \(s)"
        case let .removeAddress(s): "remove \(s)"
        case let .announce(s, _): "announce \(s.map(\.address))"
        case let .announceFirstRound(s, background): "first round \(s.map(\.address))\(background ? " in background" : "")"
        case let .notify(n): "notify \(n.notifyArguments.joined(separator: " "))"
        }
    }

    /// True for a sent advertisement with priority 0.
    public var isPriorityZeroAdvert: Bool {
        if case let .send(a, _, _) = self { return a.priority.isRelease }
        return false
    }
}

/// A fake for every network port and the notify queue that records each call
/// in one ordered log, so tests can assert cross-port ordering.
public final class RecordingPorts: AdvertisementSender, VirtualAddressManager, NeighborAnnouncing, NotifyQueue, Sendable {
    /// What the engine's start-up rehearsal (`TakeoverRehearsal`) passed to the ports.
    public struct Rehearsals: Sendable {
        public var sends: [Advertisement] = []
        public var announcements: [[VirtualAddressSpec]] = []
        /// Address lists that went through the add path's rehearsal.
        public var adds: [[VirtualAddressSpec]] = []
    }

    private struct State {
        var rehearsals = Rehearsals()
        var calls: [PortCall] = []
        var sendBatches: [Int] = []
        var waiters: [(predicate: @Sendable ([PortCall]) -> Bool, continuation: CheckedContinuation<Void, Never>)] = []
    }

    private let state = Mutex(State())

    /// How many addresses `add(contentsOf:applied:)` reports as in place at a time
    /// (a netlink window in the real port); nil: all at once.
    public let appliedPartSize: Int?

    public init(appliedPartSize: Int? = nil) { self.appliedPartSize = appliedPartSize }

    /// Every call so far.
    public var calls: [PortCall] { state.withLock { $0.calls } }

    /// The size of each `send(batch:)` so far, in order.
    public var sendBatches: [Int] { state.withLock { $0.sendBatches } }

    /// Every rehearsal so far (kept apart from `calls`: a rehearsal has no effect).
    public var rehearsals: Rehearsals { state.withLock { $0.rehearsals } }

    /// Forgets the calls so far.
    public func reset() { state.withLock { $0.calls = []; $0.sendBatches = [] } }

    /// The ports bundle for an engine.
    public var enginePorts: EnginePorts { EnginePorts(sender: self, addresses: self, announcer: self, notifier: self) }

    /// Suspends until the recorded calls satisfy `predicate`.
    public func wait(until predicate: @escaping @Sendable ([PortCall]) -> Bool) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let ready = state.withLock { s -> Bool in
                if predicate(s.calls) { return true }
                s.waiters.append((predicate, continuation))
                return false
            }
            if ready { continuation.resume() }
        }
    }

    private func record(_ call: PortCall) {
        let ready = state.withLock { s -> [CheckedContinuation<Void, Never>] in
            s.calls.append(call)
            let calls = s.calls
            let ready = s.waiters.filter { $0.predicate(calls) }.map(\.continuation)
            s.waiters.removeAll { $0.predicate(calls) }
            return ready
        }
        ready.forEach { $0.resume() }
    }

    public func send(_ payload: [UInt8], interface: String, source: IPAddress, destination: IPAddress) throws {
        // Decoding what was encoded proves the engine produced a valid message.
        let advert = try Advertisement.decode(message: payload, source: source, destination: destination)
        record(.send(advertisement: advert, interface: interface, destination: destination))
    }

    public func send(batch: [OutgoingAdvertisement]) -> [(index: Int, error: any Error)] {
        state.withLock { $0.sendBatches.append(batch.count) }
        return sendEach(batch)
    }

    public func rehearseSend(_ payload: [UInt8], interface: String, source: IPAddress, destination: IPAddress) {
        guard let advert = try? Advertisement.decode(message: payload, source: source, destination: destination) else { return }
        state.withLock { $0.rehearsals.sends.append(advert) }
    }

    public func rehearseAnnouncement(_ addresses: [VirtualAddressSpec]) {
        state.withLock { $0.rehearsals.announcements.append(addresses) }
    }

    public func rehearseAdd(contentsOf addresses: [VirtualAddressSpec], applied: ([VirtualAddressSpec]) -> Void) {
        state.withLock { $0.rehearsals.adds.append(addresses) }
        applied(addresses)
    }

    public func add(_ address: VirtualAddressSpec) throws { record(.addAddress(address)) }
    public func remove(_ address: VirtualAddressSpec) throws { record(.removeAddress(address)) }

    /// Each address recorded as added, reported in parts of `appliedPartSize`.
    public func add(contentsOf addresses: [VirtualAddressSpec],
                    applied: ([VirtualAddressSpec]) -> Void) -> [VirtualAddressFailure] {
        let size = max(1, appliedPartSize ?? addresses.count)
        var start = addresses.startIndex
        while start < addresses.endIndex {
            let part = Array(addresses[start..<min(start + size, addresses.endIndex)])
            for address in part { record(.addAddress(address)) }
            applied(part)
            start += part.count
        }
        return []
    }

    public func announce(_ addresses: [VirtualAddressSpec], virtualRouterID: VirtualRouterID, schedule: AnnounceSchedule) {
        record(.announce(addresses, schedule))
    }

    public func announceFirstRound(_ addresses: [VirtualAddressSpec], virtualRouterID: VirtualRouterID, inBackground: Bool) {
        record(.announceFirstRound(addresses, inBackground: inBackground))
    }

    /// Recorded as `.announce` with the whole schedule; the parts sent ahead are
    /// `.announceFirstRound` calls before it.
    public func announce(_ addresses: [VirtualAddressSpec], virtualRouterID: VirtualRouterID, schedule: AnnounceSchedule,
                         firstRoundSent: Bool) {
        record(.announce(addresses, schedule))
    }

    public func enqueue(_ notification: NotifyEvent, spec: NotifySpec) {
        record(.notify(notification))
    }
}
