import FailoverConfig

// Parse-speed benchmark (not a test): a generated keepalived.conf with 255 instances
// and 1,000 VIPs (RFC 2544 benchmarking range 198.18.0.0/15), parsed repeatedly.
// Usage: swift run -c release ConfigBenchmark [iterations]

let iterations = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1]) ?? 50 : 50

func generate() -> String {
    var text = "global_defs {\n    router_id bench\n    enable_script_security\n    script_user root\n}\n\n"
    text += "vrrp_script chk_bench {\n    script \"/bin/bash -c '</dev/tcp/192.0.2.11/80'\"\n    interval 2\n}\n"
    var vip = 0
    for index in 0..<255 {
        let count = index < 1000 % 255 ? 1000 / 255 + 1 : 1000 / 255
        text += """

            vrrp_instance bench_VIP_\(index + 1) {
                interface eth0
                virtual_router_id \(index + 1)
                priority \(100 + index % 100)
                preempt_delay 300
                authentication {
                    auth_type PASS
                    auth_pass bench
                }
                track_script {
                    chk_bench
                }
                virtual_ipaddress {

            """
        for _ in 0..<count {
            text += "        198.18.\(vip / 256).\(vip % 256) dev eth0\n"
            vip += 1
        }
        text += "    }\n}\n"
    }
    return text
}

let text = generate()
let clock = ContinuousClock()
var lexTimes: [Duration] = []
var treeTimes: [Duration] = []
var parseTimes: [Duration] = []
var renderTimes: [Duration] = []
var result: KeepalivedConfigParser.Result?
for _ in 0..<iterations {
    lexTimes.append(clock.measure { _ = Lexer().tokenize(text, file: "bench.conf") })
    treeTimes.append(clock.measure { _ = SyntaxParser().parse(text, file: "bench.conf") })
    var parsed: KeepalivedConfigParser.Result?
    parseTimes.append(clock.measure { parsed = KeepalivedConfigParser().parse(text, file: "bench.conf") })
    result = parsed
    renderTimes.append(clock.measure { _ = KeepalivedRenderer().render(parsed!.configuration) })
}
let configuration = result!.configuration
let vipCount = configuration.instances.reduce(0) { $0 + $1.virtualIPAddresses.count }
precondition(configuration.instances.count == 255 && vipCount == 1000 && result!.diagnostics.isEmpty,
             "generated config did not parse cleanly: \(result!.diagnostics.prefix(3))")

func summary(_ times: [Duration]) -> String {
    let sorted = times.sorted()
    func ms(_ d: Duration) -> String {
        let micros = d.components.seconds * 1_000_000 + d.components.attoseconds / 1_000_000_000_000
        return "\(micros / 1000).\(String(micros % 1000).leftPadded(3)) ms"
    }
    return "min \(ms(sorted[0])), median \(ms(sorted[sorted.count / 2])), max \(ms(sorted[sorted.count - 1]))"
}

extension String {
    func leftPadded(_ width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}

print("config: \(text.utf8.count) bytes, \(configuration.instances.count) instances, \(vipCount) VIPs; \(iterations) iterations")
print("lex:    \(summary(lexTimes))")
print("tree:   \(summary(treeTimes)) (lex + braces + includes)")
print("parse:  \(summary(parseTimes)) (tree + model + validation)")
print("render: \(summary(renderTimes))")
