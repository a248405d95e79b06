// ScriptBenchmark: what check scripts cost.
//   1. spawn overhead per check run (LinuxProcessLauncher vs plain posix_spawn+waitpid,
//      and the native TCP default check);
//   2. CPU cost of 255 instances sharing one check at a 1 s interval (and, for
//      contrast, 255 separate checks).
// Usage: ScriptBenchmark [--runs N] [--seconds S]
//        ScriptBenchmark --hold <script>   (launch one script and wait forever; the
//        parent-death test kills this process and expects the script to die with it)
//        ScriptBenchmark --run <script>    (launch it once through the launcher, print
//        its termination and output; the spawn tests run this with the environment
//        of the process under test, e.g. IPFAILOVER_SPAWN_WITH_FORK=1)
import FailoverRuntime
import Glibc
import LinuxNetworking
import VRRPCore
import VRRPWire

struct CPUTime {
    var selfTime: Duration
    var childTime: Duration

    static func now() -> CPUTime {
        func read(_ who: Int32) -> Duration {
            var usage = rusage()
            _ = getrusage(__rusage_who_t(who), &usage)
            let user = Duration.seconds(usage.ru_utime.tv_sec) + .microseconds(usage.ru_utime.tv_usec)
            let system = Duration.seconds(usage.ru_stime.tv_sec) + .microseconds(usage.ru_stime.tv_usec)
            return user + system
        }
        return CPUTime(selfTime: read(RUSAGE_SELF.rawValue), childTime: read(RUSAGE_CHILDREN.rawValue))
    }

    static func - (a: CPUTime, b: CPUTime) -> CPUTime {
        CPUTime(selfTime: a.selfTime - b.selfTime, childTime: a.childTime - b.childTime)
    }
}

func ms(_ d: Duration) -> String {
    let value = Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15
    var text = String(Int((value * 1000).rounded()))
    while text.count < 4 { text = "0" + text }
    return String(text.dropLast(3)) + "." + String(text.suffix(3)) + " ms"
}

func percentile(_ sorted: [Duration], _ p: Double) -> Duration {
    sorted[min(sorted.count - 1, Int(Double(sorted.count - 1) * p))]
}

func report(_ name: String, _ samples: [Duration], cpu: CPUTime) {
    let sorted = samples.sorted()
    let total = samples.reduce(Duration.zero, +)
    print("\(name): n=\(samples.count) mean \(ms(total / samples.count)) p50 \(ms(percentile(sorted, 0.5))) p99 \(ms(percentile(sorted, 0.99))) | CPU per run: daemon \(ms(cpu.selfTime / samples.count)), children \(ms(cpu.childTime / samples.count))")
}

if CommandLine.arguments.count == 3, CommandLine.arguments[1] == "--hold" {
    let script = CommandLine.arguments[2]
    _ = await LinuxProcessLauncher().launch(LaunchRequest(
        executablePath: script, arguments: [script], environment: ["PATH": "/usr/bin:/bin"],
        timeout: .seconds(3600), killGrace: .seconds(1)))
    exit(0)
}

if CommandLine.arguments.count == 3, CommandLine.arguments[1] == "--run" {
    let script = CommandLine.arguments[2]
    let outcome = await LinuxProcessLauncher().launch(LaunchRequest(
        executablePath: script, arguments: [script], environment: ["PATH": "/usr/bin:/bin"],
        timeout: .seconds(10), killGrace: .seconds(1)))
    print("termination \(outcome.termination)")
    for line in outcome.output { print("output \(line.text)") }
    exit(0)
}

var runs = 300
var seconds = 10
var arguments = CommandLine.arguments.dropFirst().makeIterator()
while let argument = arguments.next() {
    switch argument {
    case "--runs": runs = Int(arguments.next() ?? "") ?? runs
    case "--seconds": seconds = Int(arguments.next() ?? "") ?? seconds
    default: print("usage: ScriptBenchmark [--runs N] [--seconds S]"); exit(2)
    }
}

var template = Array("/tmp/ipf-bench-XXXXXX".utf8CString)
_ = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
let dir = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
defer { _ = system("rm -rf '\(dir)'") }
let scriptPath = dir + "/check.sh"
do {
    let fd = open(scriptPath, O_WRONLY | O_CREAT | O_TRUNC, 0o755)
    let body = Array("#!/bin/sh\nexit 0\n".utf8)
    _ = body.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    close(fd)
}

let launcher = LinuxProcessLauncher()
let environment = ["PATH": "/usr/bin:/bin"]
print("== 1. spawn overhead per check run (\(runs) sequential runs each)")
for (label, path) in [("/bin/true (exec only)", "/bin/true"), ("#!/bin/sh script", scriptPath)] {
    var samples: [Duration] = []
    let before = CPUTime.now()
    for _ in 0..<runs {
        let start = ContinuousClock.now
        let outcome = await launcher.launch(LaunchRequest(
            executablePath: path, arguments: [path], environment: environment,
            timeout: .seconds(5), killGrace: .seconds(1)))
        samples.append(start.duration(to: .now))
        precondition(outcome.succeeded, "\(outcome)")
    }
    report("LinuxProcessLauncher \(label)", samples, cpu: CPUTime.now() - before)
}
do {
    var samples: [Duration] = []
    let before = CPUTime.now()
    for _ in 0..<runs {
        let start = ContinuousClock.now
        var pid: pid_t = 0
        var argv: [UnsafeMutablePointer<CChar>?] = [strdup("/bin/true"), nil]
        _ = posix_spawn(&pid, "/bin/true", nil, nil, &argv, nil)
        var status: Int32 = 0
        _ = waitpid(pid, &status, 0)
        free(argv[0])
        samples.append(start.duration(to: .now))
    }
    report("posix_spawn+waitpid /bin/true (baseline, no supervision)", samples, cpu: CPUTime.now() - before)
}
/// A listening socket on 127.0.0.1 and its port.
func makeListener() -> (Int32, UInt16) {
    let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    var sa = sockaddr_in()
    sa.sin_family = sa_family_t(AF_INET)
    sa.sin_addr.s_addr = IPv4Address(127, 0, 0, 1).value.bigEndian
    _ = withUnsafePointer(to: &sa) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
    _ = listen(listener, 1024)
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &sa) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) } }
    return (listener, UInt16(bigEndian: sa.sin_port))
}
do {
    let (listener, port) = makeListener()
    let probe = LinuxTCPConnectProbe()
    var samples: [Duration] = []
    let before = CPUTime.now()
    for _ in 0..<runs {
        let start = ContinuousClock.now
        let result = await probe.connect(to: .v4(IPv4Address(127, 0, 0, 1)), port: port, timeout: .seconds(1))
        samples.append(start.duration(to: .now))
        guard case .connected = result else { fatalError("\(result)") }
        // Accept and close so the backlog never fills.
        let accepted = accept(listener, nil, nil)
        if accepted >= 0 { close(accepted) }
    }
    report("native TCP default check (connect to 127.0.0.1)", samples, cpu: CPUTime.now() - before)
    close(listener)
}

print("== 2. CPU cost at a 1 s interval over \(seconds) s")
let preparer = ScriptPreparer(inspector: LinuxScriptHostInspector(), enableScriptSecurity: true, environment: environment)

/// Runs `scripts` for `seconds`, fanning every report out to `instancesPerScript` consumers.
func measure(_ label: String, scripts: [CheckScriptSpec], instancesPerScript: Int) async {
    let scheduler = CheckScriptScheduler(clock: ContinuousClock(), launcher: launcher, tcpProbe: LinuxTCPConnectProbe())
    // Stand-in for the per-instance core event: one tracker per tracking instance.
    let consumer = Task {
        var trackers = [String: [RiseFall]]()
        var delivered = 0
        for await report in scheduler.reports {
            var list = trackers[report.script] ?? Array(repeating: RiseFall(rise: 1, fall: 1, initFail: false), count: instancesPerScript)
            for index in list.indices { list[index].record(success: report.succeeded) }
            trackers[report.script] = list
            delivered += instancesPerScript
        }
        return delivered
    }
    let before = CPUTime.now()
    let start = ContinuousClock.now
    scheduler.start(scripts.map { preparer.prepare($0) })
    try? await Task.sleep(for: .seconds(seconds))
    await scheduler.stop()
    let elapsed = start.duration(to: .now)
    let cpu = CPUTime.now() - before
    let delivered = await consumer.value
    let runsDone = scheduler.status().reduce(0) { $0 + $1.runsCompleted }
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    let daemonPct = (Double(cpu.selfTime.components.seconds) + Double(cpu.selfTime.components.attoseconds) / 1e18) / seconds * 100
    let childPct = (Double(cpu.childTime.components.seconds) + Double(cpu.childTime.components.attoseconds) / 1e18) / seconds * 100
    print("\(label): \(runsDone) runs, \(delivered) instance results in \(ms(elapsed)); CPU daemon \(String(format3(daemonPct)))% of one core, scripts \(String(format3(childPct)))%")
}

func format3(_ value: Double) -> String {
    let scaled = Int((value * 1000).rounded())
    let whole = scaled / 1000, fraction = scaled % 1000
    return "\(whole)." + String(String(fraction + 1000).dropFirst())
}

await measure("255 instances sharing one script check", scripts: [
    CheckScriptSpec(name: "chk_shared", commandLine: scriptPath, interval: .seconds(1)),
], instancesPerScript: 255)
let (benchListener, benchPort) = makeListener()
await measure("255 instances sharing the native TCP check", scripts: [
    CheckScriptSpec(name: "chk_tcp", commandLine: "/bin/bash -c '</dev/tcp/127.0.0.1/\(benchPort)'", interval: .seconds(1)),
], instancesPerScript: 255)
await measure("255 instances with 255 separate script checks (contrast)", scripts: (1...255).map {
    CheckScriptSpec(name: "chk_\($0)", commandLine: scriptPath, interval: .seconds(1))
}, instancesPerScript: 1)
close(benchListener)
