import Testing
@testable import FailoverRuntime

/// The text `ipfailover status` prints, from a `/status` document: the table with a
/// marked line per active split brain or VRID collision, and `--history`.
@Suite struct StatusTableTests {
    static func instance(_ name: String, vrid: Int = 51, splitBrain: ConflictSnapshot = ConflictSnapshot(),
                         vridCollision: ConflictSnapshot = ConflictSnapshot(), history: [TransitionRecord] = []) -> InstanceSnapshot {
        InstanceSnapshot(
            name: name, syncGroup: nil, interface: "eth0", virtualRouterID: vrid, version: 3, state: "MASTER",
            effectivePriority: 150, basePriority: 150, masterAddress: "192.0.2.1", advertisementIntervalSeconds: 1,
            virtualAddresses: ["198.51.100.10/32 dev eth0"], trackers: [],
            lastTransition: TransitionSnapshot(from: "BACKUP", to: "MASTER", reason: "Master_Down timer expired", atSeconds: 3.5),
            counters: [:], splitBrain: splitBrain, vridCollision: vridCollision, history: history)
    }

    static func document(_ instances: [InstanceSnapshot]) -> DaemonStatus {
        DaemonStatus(generatedAt: 1_796_553_600, instances: instances, scripts: [],
                     notify: NotifySnapshot(enqueued: 0, completed: 0, failures: 0, timeouts: 0, dropped: 0, notStarted: 0),
                     nodeCounters: [:])
    }

    @Test("The table marks an instance with an active split brain or VRID collision, naming the peer; nothing extra without one")
    func activeConflictsAreMarkedLines() {
        let quiet = Self.instance("VI_1", splitBrain: ConflictSnapshot(episodes: 3, adverts: 40))
        let plain = StatusTable.render(Self.document([quiet]))
        #expect(!plain.contains("!"), "\(plain)")
        #expect(plain.split(separator: "\n").count == 2, "the header and one row: \(plain)")

        let split = Self.instance("VI_1", splitBrain: ConflictSnapshot(active: true, peer: "192.0.2.2", sinceSeconds: 12, episodes: 2, adverts: 5))
        let collided = Self.instance("VI_2", vrid: 52, vridCollision: ConflictSnapshot(active: true, peer: "192.0.2.30", episodes: 1, adverts: 7))
        let both = StatusTable.render(Self.document([split, quiet, collided]))
        let lines = both.split(separator: "\n").map(String.init)
        #expect(lines.contains("! VI_1: SPLIT BRAIN: another master, 192.0.2.2, on VRID 51 (episode 2, 5 adverts)"), "\(both)")
        #expect(lines.contains("! VI_2: VRID COLLISION: 192.0.2.30 advertises VRID 52 with other addresses (episode 1, 7 adverts)"), "\(both)")
        #expect(lines.filter { $0.hasPrefix("!") }.count == 2, "\(both)")

        // --watch: without the advert count, which changes with every conflicting advert.
        let watched = StatusTable.render(Self.document([split]), runs: false)
        #expect(watched.contains("! VI_1: SPLIT BRAIN: another master, 192.0.2.2, on VRID 51 (episode 2)\n"), "\(watched)")
    }

    @Test("--history: every instance's records by time, UTC, with the reason's detail and each notify call's result")
    func historyIsOneTableByTime() {
        let failed = NotifyCallRecord(command: "/etc/keepalived/notify.sh INSTANCE VI_1 FAULT 150", result: "exit 2",
                                      exitStatus: 2, succeeded: false, durationSeconds: 0.0124, stderrTail: ["no route", "gave up"])
        let fifo = NotifyCallRecord(command: "fifo /run/ka.fifo", result: "written", succeeded: true)
        var fault = TransitionRecord(sequence: 3, time: 1_796_553_602.25, from: "MASTER", to: "FAULT", priority: 150,
                                     cause: "check", reason: "check chk_web failed", peer: nil, detail: "exit 3",
                                     notifies: [failed, fifo])
        fault.notifiesNotStored = 2
        let start = TransitionRecord(sequence: 1, time: 1_796_553_600, from: "INIT", to: "BACKUP", priority: 150,
                                     cause: "start", reason: "start", peer: nil, detail: nil, notifies: [])
        let other = TransitionRecord(sequence: 2, time: 1_796_553_601, from: "BACKUP", to: "MASTER", priority: 100,
                                     cause: "master-down", reason: "Master_Down timer expired", peer: nil, detail: nil, notifies: [])
        let text = StatusHistory.render(Self.document([Self.instance("VI_1", history: [start, fault]),
                                                       Self.instance("VI_2", history: [other])]))
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines.count == 4, "\(text)")
        #expect(lines.first?.hasPrefix("TIME (UTC)") == true)
        #expect(lines[1].hasPrefix("2026-12-06T10:40:00.000Z  VI_1"), "\(text)")
        #expect(lines[2].hasPrefix("2026-12-06T10:40:01.000Z  VI_2      BACKUP→MASTER"), "\(text)")
        #expect(lines[3].hasPrefix("2026-12-06T10:40:02.250Z  VI_1      MASTER→FAULT   check chk_web failed: exit 3"), "\(text)")
        #expect(lines[3].hasSuffix("notify.sh exit 2 (12 ms) stderr: no route | gave up; fifo /run/ka.fifo written; +2 more"), "\(text)")
        #expect(lines[1].hasSuffix("  -"), "no notify call yet: \(text)")
        #expect(StatusHistory.render(Self.document([Self.instance("VI_1")])) == "no transitions recorded\n")
    }
}
