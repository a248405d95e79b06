/// The table `ipfailover status` prints: a row per instance, a marked line per
/// instance with a split brain or a VRID collision going on, and the scripts.
public enum StatusTable {
    /// `runs` false (`--watch`): without the counters that change with every check
    /// run or conflicting advert, which would redraw a table whose states did not change.
    public static func render(_ status: DaemonStatus, runs: Bool = true) -> String {
        var rows = [["INSTANCE", "STATE", "PRIO", "BASE", "VRID", "IF", "MASTER", "VIPS", "LAST CHANGE"]]
        for i in status.instances {
            rows.append([i.name, i.state, String(i.effectivePriority), String(i.basePriority), String(i.virtualRouterID),
                         i.interface, i.masterAddress ?? "-",
                         i.virtualAddresses.map { String($0.prefix { $0 != " " }) }.joined(separator: ","),
                         i.lastTransition.map { "\($0.from)→\($0.to): \($0.reason)" } ?? "-"])
        }
        var out = table(rows)
        let conflicts = status.instances.flatMap { conflictLines($0, counts: runs) }
        if !conflicts.isEmpty { out += "\n" + conflicts.map { $0 + "\n" }.joined() }
        if !status.scripts.isEmpty {
            var scriptRows = [["SCRIPT", "STATE", "RUNS", "FAILURES", "TIMEOUTS", "LAST FAILURE"]]
            for s in status.scripts {
                scriptRows.append([s.name, s.state, String(s.runs), String(s.failures), String(s.timeouts), s.lastFailure ?? "-"])
            }
            if !runs { scriptRows = scriptRows.map { row in row.enumerated().filter { $0.offset != 2 }.map(\.element) } }
            out += "\n" + table(scriptRows)
        }
        return out
    }

    /// `! VI_1: SPLIT BRAIN: another master, 192.0.2.2, on VRID 51 (episode 1, 5 adverts)`
    /// for each active episode of `instance`; none when nothing is going on.
    static func conflictLines(_ instance: InstanceSnapshot, counts: Bool) -> [String] {
        func line(_ conflict: ConflictSnapshot, _ what: (String) -> String) -> String? {
            guard conflict.active else { return nil }
            let adverts = counts ? ", \(conflict.adverts) adverts" : ""
            return "! \(instance.name): \(what(conflict.peer ?? "?")) (episode \(conflict.episodes)\(adverts))"
        }
        let vrid = instance.virtualRouterID
        return [
            line(instance.splitBrain) { "SPLIT BRAIN: another master, \($0), on VRID \(vrid)" },
            line(instance.vridCollision) { "VRID COLLISION: \($0) advertises VRID \(vrid) with other addresses" },
        ].compactMap { $0 }
    }

    /// Left-aligned columns two spaces apart; the last column is not padded.
    public static func table(_ rows: [[String]]) -> String {
        let widths = (0..<(rows.first?.count ?? 0)).map { c in rows.map { $0[c].count }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { c, cell in c == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[c] - cell.count) }
                .joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
    }
}
