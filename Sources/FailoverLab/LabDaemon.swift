import CLinuxShim
import Glibc
import Synchronization

/// A VRRP daemon on one node of a `LabCluster`: ipfailover (a built binary) or
/// keepalived, from a keepalived.conf text or from an OPENSHIFT_HA_* environment
/// (ipfailover renders it itself; for keepalived, `ipfailover render` renders it
/// first), with the node's script environment. Started with a clean environment
/// (`env -i`), so nothing of the test process leaks in. Stopped, killed and
/// restarted by PID; the lab stops it on every exit path.
public final class LabDaemon: Sendable {
    /// Which daemon runs.
    public enum Implementation: Sendable, Hashable, CustomStringConvertible {
        /// ipfailover, the binary at `binary`.
        case ipfailover(binary: String)
        /// keepalived from PATH; `renderer` is the ipfailover binary used to render env mode.
        case keepalived(renderer: String?)

        public var description: String {
            switch self {
            case .ipfailover: "ipfailover"
            case .keepalived: "keepalived"
            }
        }
    }

    /// What the daemon runs from.
    public enum Setup: Sendable, Hashable {
        /// This keepalived.conf text (written to the node's config path).
        case configuration(String)
        /// env mode: these OPENSHIFT_HA_* (and other) variables.
        case environment([String: String])
    }

    /// The node it runs on.
    public let node: ClusterNode
    public let implementation: Implementation
    public let setup: Setup
    /// Status endpoint port on 127.0.0.1 in the node's namespace (ipfailover only).
    public let statusPort: UInt16
    /// `--log-level` for ipfailover.
    public let logLevel: String
    private let lab: Lab
    private let state = Mutex<(process: LabProcess?, incarnation: Int)>((nil, 0))

    /// PATH for the daemons and their scripts.
    public static let path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

    init(lab: Lab, node: ClusterNode, implementation: Implementation, setup: Setup, statusPort: UInt16, logLevel: String) {
        self.lab = lab
        self.node = node
        self.implementation = implementation
        self.setup = setup
        self.statusPort = statusPort
        self.logLevel = logLevel
    }

    /// The running (or last) process.
    public var process: LabProcess? { state.withLock { $0.process } }

    /// The daemon's log (its standard error) of the current incarnation.
    public var log: String { process?.standardError ?? "" }

    /// The full environment the daemon starts with.
    public var environment: [String: String] {
        var env = ["PATH": Self.path, "HOME": "/root"].merging(node.scriptEnvironment) { $1 }
        if case .environment(let variables) = setup { env.merge(variables) { $1 } }
        return env
    }

    private var envPrefix: [String] {
        ["env", "-i"] + environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
    }

    /// Starts (or starts again) the daemon. Throws when it is already running.
    @discardableResult
    public func start() async throws -> LabProcess {
        if let running = process, running.exitStatusIfEnded == nil {
            throw LabCommand.Failure(result: .init(arguments: ["start"], status: -1, standardOutput: "",
                                                   standardError: "\(implementation) on \(node.name) is already running (pid \(running.pid))"))
        }
        let incarnation = state.withLock { $0.incarnation += 1; return $0.incarnation }
        let logName = "\(node.name)/\(implementation)-\(incarnation)"
        let arguments: [String]
        switch implementation {
        case .ipfailover(let binary):
            if case .configuration(let text) = setup { try LabFile.write(text, to: node.configPath) }
            arguments = envPrefix + [binary, "run", "--config", node.configPath,
                                     "--status-address", "127.0.0.1:\(statusPort)",
                                     "--owned-addresses-file", node.ownedAddressesFile, "--log-level", logLevel]
        case .keepalived(let renderer):
            switch setup {
            case .configuration(let text):
                try LabFile.write(text, to: node.configPath)
            case .environment:
                guard let renderer else {
                    throw LabCommand.Failure(result: .init(arguments: ["render"], status: -1, standardOutput: "",
                                                           standardError: "keepalived in env mode needs the ipfailover binary to render"))
                }
                try await lab.run(in: node.namespace, envPrefix + [renderer, "render", "--output", node.configPath])
            }
            let base = node.directory + "/keepalived-\(incarnation)"
            // -G: no syslog, whose /dev/console fallback is a slow serial port here (see spawnKeepalived).
            arguments = envPrefix + ["keepalived", "-n", "-l", "-D", "-G", "-f", node.configPath,
                                     "-p", base + ".pid", "-r", base + ".vrrp.pid", "-c", base + ".checkers.pid"]
        }
        let process = try lab.spawn(in: node.namespace, arguments, logName: logName)
        state.withLock { $0.process = process }
        return process
    }

    /// Stops the daemon with `signal` (SIGTERM: a graceful release) and waits for it.
    @discardableResult
    public func stop(signal: Int32 = SIGTERM, grace: Duration = .seconds(5)) async -> Int32? {
        guard let process else { return nil }
        return await process.stop(signal: signal, grace: grace)
    }

    /// Kills the daemon with SIGKILL: no release, its VIPs stay configured.
    public func crash() async {
        guard let process else { return }
        kill(process.pid, SIGKILL)
        await process.stop(signal: SIGKILL, grace: .seconds(2))
    }

    /// Sends `signal` (e.g. SIGHUP) without waiting.
    public func signal(_ signal: Int32) {
        if let process { kill(process.pid, signal) }
    }

    /// The daemon's `/status` (ipfailover only).
    public func status() async throws -> ObservedStatus {
        try ObservedStatus.decode(try await statusDocument())
    }

    /// The daemon's `/status` as served (ipfailover only): for a timeline or a file.
    public func statusDocument() async throws -> [UInt8] {
        try await NamespaceHTTP.get(namespace: node.namespace, port: statusPort, path: "/status")
    }

    /// Polls `/status` until `predicate` holds or `timeout` passes; returns the last
    /// status seen and whether the predicate held.
    public func waitForStatus(timeout: Duration = .seconds(15),
                              until predicate: (ObservedStatus) -> Bool) async -> (status: ObservedStatus?, satisfied: Bool) {
        let deadline = ContinuousClock.now + timeout
        var last: ObservedStatus?
        while true {
            if let status = try? await status() {
                last = status
                if predicate(status) { return (status, true) }
            }
            if ContinuousClock.now >= deadline || Task.isCancelled { return (last, false) }
            try? await Task.sleep(for: .milliseconds(25))
        }
    }

    /// Waits until instance `name` is in `state`; returns whether it got there.
    public func waitForState(_ name: String, _ state: String, timeout: Duration = .seconds(15)) async -> Bool {
        await waitForStatus(timeout: timeout) { $0.instance(name)?.state == state }.satisfied
    }

    /// Polls the notify log until `predicate` holds for its records.
    public func waitForNotifications(timeout: Duration = .seconds(15),
                                     until predicate: ([NotifyRecord]) -> Bool) async -> (records: [NotifyRecord], satisfied: Bool) {
        let (text, ok) = await lab.waitForFile(node.notifyLog, timeout: timeout) { predicate(NotifyRecord.parse($0)) }
        return (NotifyRecord.parse(text), ok)
    }

    /// The ipfailover binary the lab runs: `$IPFAILOVER_BINARY`, this process if it is
    /// ipfailover, else `ipfailover` next to this executable (a test bundle in a
    /// `swift build` tree) or in `.build/debug` under the working directory.
    public static func ipfailoverBinary() -> String? {
        var candidates: [String] = []
        if let env = getenv("IPFAILOVER_BINARY") { candidates.append(String(cString: env)) }
        if let exe = DeploymentScripts.currentExecutable() {
            if exe.hasSuffix("/ipfailover") { candidates.append(exe) }
            let dir = exe.split(separator: "/").dropLast().joined(separator: "/")
            candidates.append("/\(dir)/ipfailover")
        }
        if let cwd = getcwd(nil, 0) {
            candidates.append(String(cString: cwd) + "/.build/debug/ipfailover")
            free(cwd)
        }
        return candidates.first { access($0, X_OK) == 0 }
    }
}
