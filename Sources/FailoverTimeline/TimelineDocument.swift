import FoundationEssentials

/// The parts of a daemon's `/status` document a timeline draws (decoded with the
/// document's own keys, independent of the daemon's Swift types, so a saved file
/// from another release still draws). Keys the timeline does not need may be absent.
public struct TimelineDocument: Sendable, Hashable, Decodable {
    /// One VRRP instance of the node.
    public struct Instance: Sendable, Hashable, Decodable {
        public var name: String
        /// The state when the document was made.
        public var state: String
        public var virtualAddresses: [String]?
        /// The last transitions, oldest first.
        public var history: [Transition]?

        public init(name: String, state: String, virtualAddresses: [String]? = nil, history: [Transition]? = nil) {
            self.name = name
            self.state = state
            self.virtualAddresses = virtualAddresses
            self.history = history
        }
    }

    /// One state change (`TransitionRecord` in the daemon).
    public struct Transition: Sendable, Hashable, Decodable {
        /// Wall-clock seconds since 1970.
        public var time: Double
        public var from: String
        public var to: String
        /// One word (`start`, `advert`, `master-down`, `priority-0`, `check`, …).
        public var cause: String?
        /// The cause as a sentence.
        public var reason: String?
        /// The advert's sender, for `advert` and `priority-0`.
        public var peer: String?
        /// A failed check's exit status, duration and stderr tail.
        public var detail: String?
        public var notifies: [NotifyCall]?

        public init(time: Double, from: String, to: String, cause: String? = nil, reason: String? = nil,
                    peer: String? = nil, detail: String? = nil, notifies: [NotifyCall]? = nil) {
            self.time = time
            self.from = from
            self.to = to
            self.cause = cause
            self.reason = reason
            self.peer = peer
            self.detail = detail
            self.notifies = notifies
        }
    }

    /// One notify call of a transition.
    public struct NotifyCall: Sendable, Hashable, Decodable {
        /// argv joined by spaces, or `fifo PATH`.
        public var command: String
        /// `exit 0`, `signal 9`, `timed out (…)`, `refused: …`, `dropped: …`.
        public var result: String
        public var exitStatus: Int?
        public var succeeded: Bool
        public var durationSeconds: Double?

        public init(command: String, result: String, exitStatus: Int? = nil, succeeded: Bool, durationSeconds: Double? = nil) {
            self.command = command
            self.result = result
            self.exitStatus = exitStatus
            self.succeeded = succeeded
            self.durationSeconds = durationSeconds
        }
    }

    /// Wall-clock seconds since 1970 when the document was made: where the current
    /// states end on the timeline.
    public var generatedAt: Double?
    public var instances: [Instance]

    public init(generatedAt: Double?, instances: [Instance]) {
        self.generatedAt = generatedAt
        self.instances = instances
    }

    /// Why a document could not be read.
    public struct Invalid: Error, CustomStringConvertible, Sendable {
        public var description: String
        public init(description: String) { self.description = description }
    }

    /// Decodes a `/status` body; `source` names it in the error.
    public static func decode(_ body: [UInt8], source: String) throws(Invalid) -> TimelineDocument {
        do {
            return try JSONDecoder().decode(TimelineDocument.self, from: Data(body))
        } catch {
            throw Invalid(description: "\(source) is not an ipfailover /status document: \(error)")
        }
    }
}

/// One node's document and the name its lanes carry.
public struct TimelineSource: Sendable, Hashable {
    public var label: String
    public var document: TimelineDocument

    public init(label: String, document: TimelineDocument) {
        self.label = label
        self.document = document
    }
}
