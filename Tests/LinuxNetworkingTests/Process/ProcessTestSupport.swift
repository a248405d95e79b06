import FailoverLab
import FailoverRuntime
import Glibc
import LinuxNetworking

/// A temporary directory with executable scripts, removed by `remove()`.
struct ScriptDirectory {
    let path: String

    init() {
        var template = Array("/tmp/ipf-scripts-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        precondition(made != nil, "mkdtemp failed")
        path = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Writes `body` to `name` with `mode`; returns the full path.
    @discardableResult
    func write(_ name: String, _ body: String, mode: mode_t = 0o755) -> String {
        let file = path + "/" + name
        try! LabFile.write(body, to: file, mode: mode)
        return file
    }

    func read(_ name: String) -> String {
        LabFile.read(path + "/" + name) ?? ""
    }

    func remove() {
        _ = system("rm -rf '\(path)'")
    }
}

enum ProcessLab {
    static var isCI: Bool { getenv("CI").map { String(cString: $0) } == "true" }
    static var isRoot: Bool { getuid() == 0 }

    static func hasTool(_ path: String) -> Bool { access(path, X_OK) == 0 }

    /// Namespace tests run as root with `ip` and `nft`; in CI they always run (and fail loudly if those are missing).
    static var namespaceTestsEnabled: Bool {
        isCI || (isRoot && hasTool("/usr/sbin/ip") && hasTool("/usr/sbin/nft"))
    }

    static func request(_ arguments: [String], timeout: Duration = .seconds(5), grace: Duration = .milliseconds(300),
                        credentials: ScriptCredentials? = nil) -> LaunchRequest {
        LaunchRequest(executablePath: arguments[0], arguments: arguments,
                      environment: ["PATH": "/usr/sbin:/usr/bin:/sbin:/bin"], credentials: credentials,
                      timeout: timeout, killGrace: grace)
    }

    /// Runs a setup command; returns its outcome (tests check `succeeded`).
    static func run(_ arguments: [String]) async -> LaunchOutcome {
        await LinuxProcessLauncher().launch(request(arguments, timeout: .seconds(20)))
    }

    /// A per-run unique suffix for namespace names.
    static func uniqueSuffix() -> String {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return "\(getpid() % 100000)-\(ts.tv_nsec % 100000)"
    }
}
