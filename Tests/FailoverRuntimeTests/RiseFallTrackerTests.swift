@testable import FailoverRuntime
import Testing

@Suite struct RiseFallTrackerTests {
    @Test func riseAndFallNeedConsecutiveResults() {
        var tracker = RiseFallTracker(rise: 2, fall: 3, initFail: false)
        #expect(tracker.state == .unknown)
        #expect(tracker.record(succeeded: true) == nil)
        #expect(tracker.record(succeeded: true) == .up)
        #expect(tracker.record(succeeded: false) == nil)
        #expect(tracker.record(succeeded: false) == nil)
        #expect(tracker.record(succeeded: true) == nil)  // resets the failure run
        #expect(tracker.record(succeeded: false) == nil)
        #expect(tracker.record(succeeded: false) == nil)
        #expect(tracker.record(succeeded: false) == .down)
        #expect(tracker.record(succeeded: true) == nil)
        #expect(tracker.record(succeeded: true) == .up)
    }

    @Test func initFailStartsDown() {
        var tracker = RiseFallTracker(rise: 1, fall: 1, initFail: true)
        #expect(tracker.state == .down)
        #expect(tracker.record(succeeded: false) == nil)
        #expect(tracker.record(succeeded: true) == .up)
    }

    @Test func unknownFallsAfterFallFailures() {
        var tracker = RiseFallTracker(rise: 1, fall: 2, initFail: false)
        #expect(tracker.record(succeeded: false) == nil)
        #expect(tracker.record(succeeded: false) == .down)
    }
}
