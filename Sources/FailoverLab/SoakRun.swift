import Glibc
import Synchronization
import VRRPWire

/// `ipfailover lab soak`: a seeded random-fault soak on a `LabCluster`. N nodes run one
/// VRRP instance per node with the masters spread (or the operator's keepalived.conf),
/// a client probes every VIP, and each event injects one fault, heals it, waits for the
/// cluster to settle and checks the invariants in the quiet period that follows:
/// exactly one MASTER per instance holding its VIPs and no VIP elsewhere, each VIP
/// answered by its master alone, notify calls matching the states, no zombie children,
/// no daemon death that the soak did not cause, descriptors and memory flat.
public struct SoakRun: Sendable {
    /// What to run.
    public struct Options: Sendable {
        public var seed: UInt64
        public var events: Int
        public var nodeCount: Int
        /// The last node runs keepalived (from PATH) instead of ipfailover.
        public var keepalivedNode: Bool
        /// An operator's keepalived.conf, run on every node (interface names rewritten to the lab's).
        public var configuration: String?
        /// The ipfailover binary the nodes run.
        public var binary: String
        /// The kinds of fault drawn from (nil: every kind the machine can inject).
        public var faults: [SoakFault]?
        /// How long a cluster may take to settle after a fault before that is a violation.
        public var settleTimeout: Duration
        /// How long the settled state must hold unchanged before it counts as settled
        /// (nil: 3 × the largest Master_Down_Interval of the configuration + 0.5 s).
        public var stableWindow: Duration?
        /// Progress lines (one per event).
        public var verbose: Bool
        /// Where to write an SVG timeline of each violation's window (every ipfailover
        /// node's `/status` right after it was seen); nil: none.
        public var timelineDirectory: String?

        public init(seed: UInt64, events: Int, nodeCount: Int = 3, keepalivedNode: Bool = false,
                    configuration: String? = nil, binary: String, settleTimeout: Duration = .seconds(30),
                    stableWindow: Duration? = nil, verbose: Bool = false, timelineDirectory: String? = nil,
                    faults: [SoakFault]? = nil) {
            self.timelineDirectory = timelineDirectory
            self.faults = faults
            self.seed = seed
            self.events = events
            self.nodeCount = nodeCount
            self.keepalivedNode = keepalivedNode
            self.configuration = configuration
            self.binary = binary
            self.settleTimeout = settleTimeout
            self.stableWindow = stableWindow
            self.verbose = verbose
        }
    }

    public var options: Options
    /// Where progress and the summary go.
    public var output: @Sendable (String) -> Void

    public init(options: Options, output: @escaping @Sendable (String) -> Void) {
        self.options = options
        self.output = output
    }

    /// The soak could not start (missing tools, a bad configuration, a cluster that never elected).
    public struct Failure: Error, CustomStringConvertible {
        public var reason: String
        public var description: String { reason }
        public init(reason: String) { self.reason = reason }
    }

    /// Node names: a, b, c, …
    static func nodeNames(_ count: Int) -> [String] {
        (0..<count).map { String(UnicodeScalar(UInt8(97 + $0))) }
    }

    /// The generated keepalived.conf of node `index`: instance k is preferred on node k
    /// (priority 200, the others 180, 160, …), VRRPv3 with 0.1 s adverts, a check that
    /// the soak can make fail or hang, and the deployment's notify script.
    public static func configuration(index: Int, nodeCount: Int, node: ClusterNode, checkScript: String,
                                     priorityBump: Int = 0) -> String {
        var text = """
        global_defs {
            router_id soak_\(node.name)
            enable_script_security
            script_user root
        }
        vrrp_script soak_check {
            script "\(checkScript)"
            interval 1
            timeout 1
            fall 1
            rise 1
        }

        """
        for k in 0..<nodeCount {
            let priority = 200 - ((index - k + nodeCount) % nodeCount) * 20 + (k == 0 ? priorityBump : 0)
            text += """
            vrrp_instance soak_VI_\(k + 1) {
                state BACKUP
                interface eth0
                virtual_router_id \(60 + k)
                priority \(priority)
                version 3
                advert_int 0.1
                track_script {
                    soak_check
                }
                notify "\(node.notifyScript)"
                virtual_ipaddress {
                    198.51.100.\(10 + k)/32 dev eth0
                }
            }

            """
        }
        return text
    }

    /// An operator's configuration with every `interface X` and `dev X` naming the lab's eth0.
    public static func adapt(_ configuration: String) -> String {
        configuration.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            var tokens = line.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
            var changed = false
            for i in tokens.indices.dropLast() {
                let word = tokens[i].trimmingPrefix(while: { $0 == "\t" })
                if (word == "interface" || word == "dev"), !tokens[i + 1].isEmpty, tokens[i + 1] != "{" {
                    tokens[i + 1] = "eth0"
                    changed = true
                }
            }
            return changed ? tokens.joined(separator: " ") : String(line)
        }.joined(separator: "\n")
    }

    /// The largest `advert_int` of a configuration (1 s when none is given).
    static func largestAdvertInterval(_ configuration: String) -> Double {
        var largest = 0.0
        for line in configuration.split(separator: "\n") {
            let tokens = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            if tokens.count >= 2, tokens[0] == "advert_int", let v = Double(tokens[1]) { largest = max(largest, v) }
        }
        return largest == 0 ? 1 : largest
    }

    /// The check script: passes, fails while the node's check-state file exists, hangs
    /// while that file says `hang` (the daemon's timeout must end it).
    static let checkScript = """
    #!/bin/sh
    [ -e "$IPF_CHECK_STATE_FILE" ] || exit 0
    [ "$(cat "$IPF_CHECK_STATE_FILE")" = hang ] && exec sleep 3600
    exit 1

    """

    /// Runs the soak and returns its report; throws `Failure` only when it cannot start.
    public func run() async throws -> SoakReport {
        let missing = LabRequirements.missing(["ip"] + (options.keepalivedNode ? ["keepalived"] : []))
        guard missing.isEmpty else {
            throw Failure(reason: "the soak needs \(missing.joined(separator: " and ")) (it creates network namespaces)")
        }
        guard options.nodeCount >= 2, options.nodeCount <= 8 else {
            throw Failure(reason: "--nodes must be between 2 and 8, got \(options.nodeCount)")
        }
        return try await LabCluster.with(nodes: Self.nodeNames(options.nodeCount)) { cluster in
            let state = SoakState(options: options, cluster: cluster, output: output)
            return try await state.soak()
        }
    }
}
