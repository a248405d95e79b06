import CLinuxShim
import Glibc
import LinuxNetworking
import Synchronization
import VRRPWire

/// A throwaway L2 segment made of network namespaces, following the lab conventions:
/// every namespace is named `ipf-<pid>-<n>-…` (so a later run can tell a crashed
/// run's leftovers from a live one's), the bridge lives in its own namespace
/// (`br0`, multicast snooping off), each node has `eth0` with 192.0.2.x/24 and
/// 2001:db8::x/64, nothing touches the root namespace, and `destroy()` (called by
/// `Lab.with` on every exit path) kills every process by PID and deletes every
/// namespace.
public final class Lab: Sendable {
    /// One node: a namespace with an `eth0` on the bridge.
    public struct Node: Sendable, Hashable {
        /// Short name ("a", "b", …).
        public var name: String
        /// The namespace name (`ip netns`).
        public var namespace: String
        /// The interface inside the namespace.
        public var interface: String
        /// The bridge port (in the bridge namespace) facing this node.
        public var bridgePort: String
        /// The node's addresses: 192.0.2.(10+i)/24 and 2001:db8::(10+i)/64.
        public var ipv4: IPv4Address
        public var ipv6: IPv6Address
    }

    /// The run-unique prefix of every namespace name.
    public let prefix: String
    /// The namespace holding the bridge.
    public let bridgeNamespace: String
    /// The bridge interface in `bridgeNamespace`.
    public let bridge = "br0"
    /// The nodes on the segment.
    public let nodes: [Node]
    /// A private temporary directory for configs, logs and captures.
    public let directory: String
    private let processes = Mutex<[LabProcess]>([])
    private let namespaces = Mutex<[String]>([])

    private static let counter = Atomic<Int>(0)

    private init(prefix: String, nodeNames: [String], directory: String) {
        self.prefix = prefix
        bridgeNamespace = prefix + "-br"
        self.directory = directory
        nodes = nodeNames.enumerated().map { i, name in
            Node(name: name, namespace: "\(prefix)-\(name)", interface: "eth0", bridgePort: "p-\(name)",
                 ipv4: IPv4Address(192, 0, 2, UInt8(10 + i)),
                 ipv6: IPv6Address(groups: [0x2001, 0xdb8, 0, 0, 0, 0, 0, UInt16(0x10 + i)]))
        }
    }

    /// Builds a lab, runs `body`, and destroys the lab whether `body` returns or throws.
    public static func with<T: Sendable>(nodes: [String] = ["a", "b"],
                                         _ body: (Lab) async throws -> T) async throws -> T {
        let lab = try await create(nodes: nodes)
        do {
            let result = try await body(lab)
            await lab.destroy()
            return result
        } catch {
            await lab.destroy()
            throw error
        }
    }

    /// Creates the namespaces, bridge and veths. Prefer `with(nodes:_:)`.
    public static func create(nodes: [String] = ["a", "b"]) async throws -> Lab {
        await removeLeftovers()
        let n = counter.add(1, ordering: .relaxed).newValue
        let prefix = "ipf-\(getpid())-\(n)"
        var template = Array("/tmp/\(prefix)-XXXXXX".utf8CString)
        guard let dir = mkdtemp(&template) else {
            throw LinuxNetworkingError.systemCall(name: "mkdtemp", errno: errno, context: "/tmp")
        }
        let lab = Lab(prefix: prefix, nodeNames: nodes, directory: String(cString: dir))
        do {
            try await lab.build()
        } catch {
            await lab.destroy()
            throw error
        }
        return lab
    }

    private func addNamespace(_ name: String) async throws {
        try await LabCommand.run(["ip", "netns", "add", name])
        namespaces.withLock { $0.append(name) }
    }

    private func build() async throws {
        let br = bridgeNamespace
        try await addNamespace(br)
        // No IPv6 chatter (RS/MLD) from the bridge namespace: captures stay exact.
        try await run(in: br, ["sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1"])
        // The bridge stands for the switch between machines, and a switch runs no host's
        // iptables: with br_netfilter loaded, every bridged frame would pass the IP
        // hooks, in the softirq of the sending process, which a node on a real segment
        // never pays for its peers' frames. (-e: absent without br_netfilter.)
        try await run(in: br, ["sysctl", "-qew", "net.bridge.bridge-nf-call-iptables=0",
                               "net.bridge.bridge-nf-call-ip6tables=0", "net.bridge.bridge-nf-call-arptables=0"])
        try await LabCommand.run(["ip", "-n", br, "link", "add", bridge, "type", "bridge", "mcast_snooping", "0"])
        try await LabCommand.run(["ip", "-n", br, "link", "set", bridge, "up"])
        for node in nodes {
            let ns = node.namespace
            try await addNamespace(ns)
            // Addresses usable at once (no DAD wait), for the link-local too.
            try await run(in: ns, ["sysctl", "-qw", "net.ipv6.conf.all.accept_dad=0", "net.ipv6.conf.default.accept_dad=0"])
            try await LabCommand.run(["ip", "-n", ns, "link", "add", node.interface, "type", "veth",
                                      "peer", "name", node.bridgePort, "netns", br])
            try await LabCommand.run(["ip", "-n", br, "link", "set", node.bridgePort, "master", bridge, "up"])
            try await LabCommand.run(["ip", "-n", ns, "link", "set", "lo", "up"])
            try await LabCommand.run(["ip", "-n", ns, "addr", "add", "\(node.ipv4)/24", "dev", node.interface])
            try await LabCommand.run(["ip", "-n", ns, "addr", "add", "\(node.ipv6)/64", "dev", node.interface, "nodad"])
            try await LabCommand.run(["ip", "-n", ns, "link", "set", node.interface, "up"])
        }
        try await waitUntilLinksUp()
    }

    /// Links that did not come up in time.
    public struct LinksNotUp: Error, CustomStringConvertible {
        public var links: [String]
        public var timeout: Duration
        public var description: String { "links not operationally UP after \(timeout): \(links.joined(separator: ", "))" }
    }

    /// Waits until every node's interface and every bridge port report operational
    /// state UP. `ip link set up` returns before the kernel's link watch has attached
    /// the device's queueing discipline; a packet sent in that window is dropped
    /// silently, which made single-packet tests flaky on a loaded machine.
    public func waitUntilLinksUp(timeout: Duration = .seconds(15)) async throws {
        let deadline = ContinuousClock.now + timeout
        var pending: [(namespace: String, interface: String)] =
            nodes.map { ($0.namespace, $0.interface) } + nodes.map { (bridgeNamespace, $0.bridgePort) }
        while true {
            var stillDown: [(namespace: String, interface: String)] = []
            for link in pending {
                let out = try await LabCommand.run(["ip", "-n", link.namespace, "-br", "link", "show", "dev", link.interface],
                                                   allowFailure: true).standardOutput
                let fields = out.split(whereSeparator: { $0 == " " || $0 == "\n" })
                if fields.count < 2 || fields[1] != "UP" { stillDown.append(link) }
            }
            if stillDown.isEmpty { return }
            guard ContinuousClock.now < deadline else {
                throw LinksNotUp(links: stillDown.map { "\($0.namespace)/\($0.interface)" }, timeout: timeout)
            }
            pending = stillDown
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    /// Moves the segment's receive work off the sending process. A veth delivers a frame
    /// in the sender's own softirq: the bridge's flood and every peer's IP receive are
    /// charged to whichever process sent, so a master would pay for its backups'
    /// receive, which on a real segment runs on each peer's own CPU. With GRO on, a
    /// bridge port receives through NAPI (a veth hands a frame from a sender with TSO,
    /// as every node's `eth0` is, to NAPI only when the receiver also forwards UDP
    /// through GRO); threaded, that NAPI runs in a kernel thread (`napi/p-…`), charged
    /// to no daemon. Each daemon still pays its own socket
    /// reads and sends. Needs `ethtool`; the links must be up.
    public func receiveOnKernelThreads() async throws {
        for node in nodes {
            try await run(in: bridgeNamespace, ["ethtool", "-K", node.bridgePort, "gro", "on", "rx-udp-gro-forwarding", "on"])
            try await run(in: bridgeNamespace, ["tee", "/sys/class/net/\(node.bridgePort)/threaded"], input: "1\n")
            let threaded = try await run(in: bridgeNamespace, ["cat", "/sys/class/net/\(node.bridgePort)/threaded"])
            guard threaded.standardOutput.hasPrefix("1") else { throw LabCommand.Failure(result: threaded) }
        }
    }

    /// The node called `name`.
    public func node(_ name: String) -> Node { nodes.first { $0.name == name }! }

    /// Runs a command inside `namespace` (`ip netns exec`) to completion.
    @discardableResult
    public func run(in namespace: String, _ arguments: [String], input: String? = nil,
                    allowFailure: Bool = false) async throws -> LabCommand.Result {
        try await LabCommand.run(["ip", "netns", "exec", namespace] + arguments, input: input, allowFailure: allowFailure)
    }

    /// Starts a background process inside `namespace`; its output goes to
    /// `<directory>/<logName>.out|.err`. `destroy()` stops it.
    public func spawn(in namespace: String, _ arguments: [String], logName: String) throws -> LabProcess {
        let out = "\(directory)/\(logName).out", err = "\(directory)/\(logName).err"
        let argv = ["ip", "netns", "exec", namespace] + arguments
        let pid = try LabCommand.spawn(argv, standardOutput: out, standardError: err)
        let process = LabProcess(pid: pid, arguments: argv, standardOutputPath: out, standardErrorPath: err)
        processes.withLock { $0.append(process) }
        return process
    }

    /// Runs `body` on a thread inside `namespace`: sockets it opens stay there.
    public func inNamespace<T: Sendable>(_ namespace: String, _ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await NetworkNamespace.run(named: namespace, body)
    }

    /// Polls `path` until `predicate` holds for its contents or `deadline` passes;
    /// returns the last contents and whether the predicate held.
    public func waitForFile(_ path: String, timeout: Duration = .seconds(15),
                            until predicate: (String) -> Bool) async -> (contents: String, satisfied: Bool) {
        let deadline = ContinuousClock.now + timeout
        while true {
            let contents = LabFile.read(path) ?? ""
            if predicate(contents) { return (contents, true) }
            if ContinuousClock.now >= deadline || Task.isCancelled { return (contents, false) }
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Removes namespaces and temporary directories that a lab run whose process no
    /// longer exists left behind (a test binary killed mid-test cannot run `destroy`).
    /// Processes still inside those namespaces are killed by PID first.
    public static func removeLeftovers() async {
        for (name, pid) in Self.entries(in: "/run/netns") where !isAlive(pid) {
            let pids = (try? await LabCommand.run(["ip", "netns", "pids", name], allowFailure: true))?.standardOutput ?? ""
            for p in pids.split(separator: "\n").compactMap({ pid_t($0) }) { kill(p, SIGKILL) }
            _ = try? await LabCommand.run(["ip", "netns", "del", name], allowFailure: true)
        }
        for (name, pid) in Self.entries(in: "/tmp") where !isAlive(pid) {
            _ = try? await LabCommand.run(["rm", "-rf", "/tmp/" + name], allowFailure: true)
        }
    }

    /// Entries of `directory` named `ipf-<pid>-<n>-…`, with the pid.
    private static func entries(in directory: String) -> [(String, pid_t)] {
        guard let dir = opendir(directory) else { return [] }
        defer { closedir(dir) }
        var out: [(String, pid_t)] = []
        while let entry = readdir(dir) {
            // dirent records are variable-length: copying the 256-byte d_name tuple can
            // read past the end of the buffer, so read the C string in place.
            let name = String(cString: (UnsafeRawPointer(entry) + MemoryLayout<dirent>.offset(of: \.d_name)!)
                .assumingMemoryBound(to: CChar.self))
            let parts = name.split(separator: "-", omittingEmptySubsequences: false)
            guard parts.count >= 4, parts[0] == "ipf", let pid = pid_t(parts[1]), Int(parts[2]) != nil else { continue }
            out.append((name, pid))
        }
        return out
    }

    private static func isAlive(_ pid: pid_t) -> Bool {
        kill(pid, 0) == 0 || errno != ESRCH
    }

    /// Stops every process (by PID, group-wide), deletes every namespace and the
    /// temporary directory. Idempotent; never throws.
    public func destroy() async {
        let running = processes.withLock { p in defer { p = [] }; return p }
        for process in running { await process.stop() }
        let names = namespaces.withLock { n in defer { n = [] }; return n }
        for name in names.reversed() {
            _ = try? await LabCommand.run(["ip", "netns", "del", name], allowFailure: true)
        }
        if getenv("IPF_KEEP_LAB") == nil {
            _ = try? await LabCommand.run(["rm", "-rf", directory], allowFailure: true)
        }
    }
}
