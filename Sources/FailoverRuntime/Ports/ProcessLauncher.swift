/// Port: runs one command to completion in its own process group and reports how it
/// ended. Implemented by `LinuxNetworking.LinuxProcessLauncher`; tests use fakes.
///
/// Contract every implementation keeps (the check scheduler and notify dispatcher
/// rely on it to never wedge):
/// - the command runs in a new session/process group;
/// - at `timeout` the whole group gets SIGTERM, `killGrace` later SIGKILL;
/// - when the group leader has exited, the rest of the group is killed, so nothing
///   the command started outlives the call; every process is reaped;
/// - cancelling the calling task terminates the command as if its timeout expired;
/// - `launch` returns at the latest `timeout + killGrace + LaunchOutcome.abandonAfter`
///   after the start, even when the kernel never lets the command die or be reaped
///   (stuck in uninterruptible sleep, a zombie held by a tracer): it is then
///   reaped in the background;
/// - `launch` never throws for a misbehaving command: failures are outcomes.
public protocol ProcessLauncher: Sendable {
    func launch(_ request: LaunchRequest) async -> LaunchOutcome
}

/// One command to run.
public struct LaunchRequest: Sendable, Hashable {
    /// Absolute path handed to execve(2) (`arguments[0]` is what the command sees as argv[0]).
    public var executablePath: String
    /// The full argv, starting with argv[0].
    public var arguments: [String]
    /// The complete environment of the command (already sanitised).
    public var environment: [String: String]
    /// Credentials to switch to before exec; nil keeps the daemon's.
    public var credentials: ScriptCredentials?
    /// Wall-clock budget from start; then SIGTERM to the group.
    public var timeout: Duration
    /// Time between SIGTERM and SIGKILL to the group.
    public var killGrace: Duration
    /// How many trailing lines of stderr to keep in the outcome.
    public var stderrTailLines: Int
    /// How many lines of output (stdout and stderr) the outcome keeps in `output`;
    /// further lines are counted in `outputLinesDropped`.
    public var outputLineLimit: Int

    public init(
        executablePath: String, arguments: [String], environment: [String: String],
        credentials: ScriptCredentials? = nil, timeout: Duration, killGrace: Duration,
        stderrTailLines: Int = 5, outputLineLimit: Int = ScriptOutputLine.defaultLimit
    ) {
        self.outputLineLimit = outputLineLimit
        self.executablePath = executablePath
        self.arguments = arguments
        self.environment = environment
        self.credentials = credentials
        self.timeout = timeout
        self.killGrace = killGrace
        self.stderrTailLines = stderrTailLines
    }
}

/// Numeric credentials a command runs with (`script_user user [group]`, resolved).
public struct ScriptCredentials: Sendable, Hashable {
    /// Real, effective and saved user id after the switch.
    public var uid: UInt32
    /// Real, effective and saved group id; also the only supplementary group (as keepalived).
    public var gid: UInt32

    public init(uid: UInt32, gid: UInt32) {
        self.uid = uid
        self.gid = gid
    }

    public static let root = ScriptCredentials(uid: 0, gid: 0)
}

/// How a launched command ended.
public struct LaunchOutcome: Sendable, Hashable {
    /// How the group leader ended.
    public enum Termination: Sendable, Hashable {
        /// exit(2) status.
        case exited(Int32)
        /// Killed by this signal number.
        case signaled(Int32)
        /// Never ran: exec or setup failed (errno-style message).
        case failedToStart(String)
        /// Never ran because the daemon lacked its own resources to create it
        /// (descriptors, processes, memory: EMFILE, ENFILE, EAGAIN, ENOMEM). Says
        /// nothing about the command: callers retry instead of counting a failure.
        case resourceExhausted(String)
    }

    /// How long after `timeout + killGrace` a command that will not die or cannot be
    /// reaped is given up (reported with `abandoned`).
    public static let abandonAfter: Duration = .seconds(2)

    public var termination: Termination
    /// True when the timeout (or a cancellation) expired before the leader exited:
    /// the group was sent SIGTERM (and SIGKILL after the grace if needed).
    public var timedOut: Bool
    /// From start until the group leader exited.
    public var duration: Duration
    /// Last lines written to stderr (by any member of the group), oldest first.
    public var stderrTail: [String]
    /// Processes still in the group after the leader exited (killed by the launcher).
    public var strayProcessesKilled: Int
    /// pid of the group leader (= its process group id), nil when it never started.
    public var processID: Int32?
    /// The leader had not exited, or could not be reaped, `abandonAfter` past the
    /// kill: the run was given up and the process is reaped in the background.
    public var abandoned: Bool
    /// What the command wrote to stdout and stderr, line by line in arrival order,
    /// at most the request's `outputLineLimit` lines.
    public var output: [ScriptOutputLine]
    /// Lines beyond `outputLineLimit` (read and discarded, so the command never blocks).
    public var outputLinesDropped: Int

    public init(
        termination: Termination, timedOut: Bool = false, duration: Duration = .zero,
        stderrTail: [String] = [], strayProcessesKilled: Int = 0, processID: Int32? = nil,
        abandoned: Bool = false, output: [ScriptOutputLine] = [], outputLinesDropped: Int = 0
    ) {
        self.processID = processID
        self.abandoned = abandoned
        self.output = output
        self.outputLinesDropped = outputLinesDropped
        self.termination = termination
        self.timedOut = timedOut
        self.duration = duration
        self.stderrTail = stderrTail
        self.strayProcessesKilled = strayProcessesKilled
    }

    /// keepalived's rule: only exit status 0 within the timeout is success.
    public var succeeded: Bool { !timedOut && !abandoned && termination == .exited(0) }

    /// The command never ran because the daemon itself ran out of resources.
    public var isResourceExhaustion: Bool {
        if case .resourceExhausted = termination { return true }
        return false
    }
}

/// One line a command wrote (without its newline; over-long lines are cut).
public struct ScriptOutputLine: Sendable, Hashable {
    public enum Stream: String, Sendable, Hashable {
        case stdout, stderr
    }

    public var stream: Stream
    public var text: String

    public init(stream: Stream, text: String) {
        self.stream = stream
        self.text = text
    }

    /// Lines kept per run unless the request says otherwise.
    public static let defaultLimit = 100
    /// Bytes kept of one line; the rest of the line is dropped and marked with `…`.
    public static let maximumLineBytes = 1024
}
