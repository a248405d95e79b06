import FoundationEssentials
import Synchronization
import VRRPCore

/// The last state changes of each instance, for `/status` (`InstanceSnapshot.history`),
/// `ipfailover status --history` and `ipfailover timeline`: when, from → to, why, and
/// what each notify call it caused did.
///
/// ```
///  engine transition ──record()──▶ [instance] ring of TransitionRecord (≤ capacity)
///                                       ▲ sequence number travels in NotifyEvent
///  NotifyDispatcher ──notifyFinished()──┘ (exit status, duration, stderr tail)
/// ```
/// Written only on a transition and on a notify call's end — never per received
/// advert — and bounded: `capacity` records per instance, each with at most
/// `maximumCallsPerRecord` notify calls of bounded text, kept only for configured
/// instances (`retain(instances:)` after a reload).
public final class TransitionHistory: Sendable {
    /// The default number of records kept per instance.
    public static let defaultCapacity = 32
    /// The largest accepted `--history-size`.
    public static let maximumCapacity = 1024
    /// The environment variable `ipfailover run` reads the size from without `--history-size`.
    public static let sizeVariable = "IPFAILOVER_HISTORY_SIZE"
    /// Notify calls of one transition: notify_<state>, notify, the FIFO line and a
    /// refusal or two fit; anything beyond is counted, not stored.
    static let maximumCallsPerRecord = 8
    /// Longest stored text of a reason detail or a stderr line.
    static let maximumTextLength = 240
    /// stderr lines kept per notify call.
    static let maximumStderrLines = 3

    /// Why a history size was refused, naming where it came from.
    public struct InvalidSize: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    /// The size named by `text` (from `source`, e.g. `--history-size`), 1…`maximumCapacity`;
    /// nil text: the default.
    public static func capacity(_ text: String?, source: String) throws(InvalidSize) -> Int {
        guard let text, !text.isEmpty else { return defaultCapacity }
        guard let value = Int(text), (1...maximumCapacity).contains(value) else {
            throw InvalidSize(description: "\(source) '\(text)' is not a number of transitions from 1 to \(maximumCapacity)")
        }
        return value
    }

    private struct State {
        var records: [String: [TransitionRecord]] = [:]
        /// Each instance's state after its last recorded transition.
        var current: [String: String] = [:]
        var nextSequence: UInt64 = 1
        /// Set while a reload runs: its stops and starts are the reload's doing.
        var reloading = false
    }

    /// Records kept per instance.
    public let capacity: Int
    /// Wall-clock time in seconds since 1970 (the records' `time`).
    public let now: @Sendable () -> Double
    private let state = Mutex(State())

    public init(capacity: Int = TransitionHistory.defaultCapacity,
                now: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }) {
        self.capacity = min(max(capacity, 1), Self.maximumCapacity)
        self.now = now
    }

    /// One instance transition as the engine executes it; returns the record's
    /// sequence number, which its notify calls carry back (`NotifyEvent.transition`).
    /// `detail` adds to the reason (a failed check's exit status and stderr tail).
    @discardableResult
    public func record(_ notification: StateNotification, detail: String? = nil) -> UInt64 {
        let time = now()
        return state.withLock { state in
            let sequence = state.nextSequence
            state.nextSequence += 1
            let to = notification.state == .stop ? VirtualRouterState.initialize.rawValue : notification.state.rawValue
            let from = state.current[notification.name] ?? VirtualRouterState.initialize.rawValue
            state.current[notification.name] = to
            var (cause, reason, peer) = Self.describe(notification.reason, ownPriority: Int(notification.priority.rawValue))
            if state.reloading {
                cause = "reload"
                reason = "reload: \(reason)"
            }
            let record = TransitionRecord(
                sequence: sequence, time: time, from: from, to: to, priority: Int(notification.priority.rawValue),
                cause: cause, reason: reason, peer: peer, detail: detail.map(Self.bounded), notifies: [])
            var list = state.records[notification.name, default: []]
            if list.count >= capacity { list.removeFirst(list.count - capacity + 1) }
            list.append(record)
            state.records[notification.name] = list
            return sequence
        }
    }

    /// A notify call of transition `sequence` of `instance` ended (or was refused,
    /// or its change was dropped from a full queue).
    public func notifyFinished(instance: String, sequence: UInt64, call: NotifyCallRecord) {
        var call = call
        call.command = Self.bounded(call.command)
        call.stderrTail = call.stderrTail.suffix(Self.maximumStderrLines).map(Self.bounded)
        state.withLock { state in
            guard var list = state.records[instance],
                  let i = list.lastIndex(where: { $0.sequence == sequence }) else { return }
            if list[i].notifies.count < Self.maximumCallsPerRecord {
                list[i].notifies.append(call)
            } else {
                list[i].notifiesNotStored += 1
            }
            state.records[instance] = list
        }
    }

    /// The records of `instance`, oldest first.
    public func records(for instance: String) -> [TransitionRecord] {
        state.withLock { $0.records[instance] ?? [] }
    }

    /// Marks transitions recorded until `endReload()` as caused by a reload.
    public func beginReload() { state.withLock { $0.reloading = true } }
    public func endReload() { state.withLock { $0.reloading = false } }

    /// Forgets instances no longer configured (after a reload removed them).
    public func retain(instances: Set<String>) {
        state.withLock { state in
            state.records = state.records.filter { instances.contains($0.key) }
            state.current = state.current.filter { instances.contains($0.key) }
        }
    }

    static func bounded(_ text: String) -> String {
        text.count <= maximumTextLength ? text : String(text.prefix(maximumTextLength - 1)) + "…"
    }

    /// The record's `cause` (a stable word for tools), `reason` (a sentence) and the
    /// peer it names.
    static func describe(_ reason: TransitionReason, ownPriority: Int) -> (cause: String, reason: String, peer: String?) {
        switch reason {
        case .startup: ("start", "start", nil)
        case .addressOwnerStartup: ("start", "start as address owner / state MASTER", nil)
        case .masterDownTimerExpired: ("master-down", "Master_Down timer expired", nil)
        case .masterReleased(let peer): ("priority-0", "priority-0 advert from \(peer)", "\(peer)")
        case .preemptedBy(let peer, let priority):
            Int(priority.rawValue) > ownPriority
                ? ("advert", "advert with higher priority \(priority) from \(peer)", "\(peer)")
                : ("advert", "advert with equal priority \(priority) from higher address \(peer)", "\(peer)")
        case .scriptFailed(let name): ("check", "check \(name) failed", nil)
        case .interfaceDown(let name): ("link", "link \(name) down", nil)
        case .faultsCleared: ("faults-cleared", "every fault cleared", nil)
        case .syncGroup(let group, let member): ("sync-group", "sync group \(group) follows member \(member)", nil)
        case .shutdown: ("shutdown", "shutdown", nil)
        }
    }
}

/// One state change of one instance in `/status`.
public struct TransitionRecord: Sendable, Hashable, Codable {
    /// Increasing over the daemon's life, across instances.
    public var sequence: UInt64
    /// Wall-clock seconds since 1970.
    public var time: Double
    /// INIT, BACKUP, MASTER or FAULT.
    public var from: String
    public var to: String
    /// Effective priority after the change.
    public var priority: Int
    /// One word: start, advert, master-down, priority-0, check, link, faults-cleared,
    /// sync-group, reload, shutdown.
    public var cause: String
    /// The cause as a sentence (`advert with higher priority 200 from 192.0.2.2`).
    public var reason: String
    /// The sender of the advert that caused it.
    public var peer: String?
    /// More about the cause: a failed check's exit status, duration and stderr tail.
    public var detail: String?
    /// Each notify call the change caused, in the order they ended.
    public var notifies: [NotifyCallRecord]
    /// Calls beyond what one record stores.
    public var notifiesNotStored: Int = 0
}

/// One notify call (a script, a FIFO line, a refused script or a dropped change).
public struct NotifyCallRecord: Sendable, Hashable, Codable {
    /// The script's argv joined by spaces, `fifo <path>`, or the script that was refused.
    public var command: String
    /// `exit 0`, `signal 9`, `timed out`, `refused: …`, `written`, `dropped: …`.
    public var result: String
    public var exitStatus: Int?
    public var succeeded: Bool
    public var durationSeconds: Double?
    public var stderrTail: [String]

    public init(command: String, result: String, exitStatus: Int? = nil, succeeded: Bool,
                durationSeconds: Double? = nil, stderrTail: [String] = []) {
        self.command = command
        self.result = result
        self.exitStatus = exitStatus
        self.succeeded = succeeded
        self.durationSeconds = durationSeconds
        self.stderrTail = stderrTail
    }
}

extension NotifyCallRecord {
    /// What the dispatcher did for one call.
    init(_ action: NotifyDelivery.Action) {
        switch action {
        case .refused(let error):
            self.init(command: "-", result: "refused: \(error)", succeeded: false)
        case .fifo(let path, _, let written):
            self.init(command: "fifo \(path)", result: written ? "written" : "dropped (pipe full or unavailable)", succeeded: written)
        case .script(let arguments, let outcome):
            var exit: Int?
            var result: String
            switch outcome.termination {
            case .exited(let code): exit = Int(code); result = "exit \(code)"
            case .signaled(let signal): result = "signal \(signal)"
            case .failedToStart(let why): result = "not started: \(why)"
            case .resourceExhausted(let why): result = "not started, the daemon lacks resources: \(why)"
            }
            if outcome.timedOut { result = "timed out (\(result))" }
            self.init(command: arguments.joined(separator: " "), result: result, exitStatus: exit,
                      succeeded: outcome.succeeded, durationSeconds: outcome.duration.seconds, stderrTail: outcome.stderrTail)
        }
    }
}
