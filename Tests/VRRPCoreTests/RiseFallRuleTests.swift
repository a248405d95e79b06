import Testing
import VRRPCore

/// keepalived's rise/fall debounce (`vrrp_track.c`), the one rule behind both the
/// instance's FAULT and the script verdict shown in `/status`, `/metrics` and the log.
@Suite struct RiseFallRuleTests {
    /// Feeds `results` in order; the status after each, and whether it changed.
    static func feed(_ verdict: inout RiseFall, _ results: [Bool]) -> [(RiseFall.Status, Bool)] {
        results.map { result in
            let changed = verdict.record(success: result)
            return (verdict.status, changed)
        }
    }

    @Test("rise/fall rule: the first result decides at once, whatever rise and fall are")
    func firstResultDecides() {
        var down = RiseFall(rise: 2, fall: 3, initFail: false)
        #expect(down.status == .pending)
        #expect(Self.feed(&down, [false]).map(\.0) == [.down])
        var up = RiseFall(rise: 2, fall: 3, initFail: false)
        #expect(Self.feed(&up, [true]).map(\.0) == [.up])
    }

    @Test("rise/fall rule: after the first result, rise successes or fall failures in a row change the verdict")
    func riseAndFallNeedConsecutiveResults() {
        var verdict = RiseFall(rise: 2, fall: 3, initFail: false)
        // A success between failures resets the failure run.
        let steps = Self.feed(&verdict, [true, false, false, true, false, false, false, true, true])
        #expect(steps.map(\.1) == [true, false, false, false, false, false, true, false, true])
        #expect(steps.map(\.0) == [.up, .up, .up, .up, .up, .up, .down, .down, .up])
        #expect(verdict.consecutiveSuccesses == 2)
        #expect(verdict.consecutiveFailures == 0)
    }

    @Test("rise/fall rule: init_fail starts down, and rise successes are needed to go up")
    func initFailStartsDown() {
        var verdict = RiseFall(rise: 2, fall: 1, initFail: true)
        #expect(verdict.status == .down)
        #expect(Self.feed(&verdict, [false, true, true]).map(\.0) == [.down, .down, .up])
    }

    @Test("rise/fall rule: rise and fall below 1 count as 1")
    func thresholdsAreAtLeastOne() {
        var verdict = RiseFall(rise: 0, fall: -2, initFail: true)
        #expect(verdict.rise == 1 && verdict.fall == 1)
        #expect(Self.feed(&verdict, [true, false]).map(\.1) == [true, true])
    }
}
