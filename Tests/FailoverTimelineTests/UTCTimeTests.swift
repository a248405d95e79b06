import FailoverTimeline
import Testing

@Suite struct UTCTimeTests {
    @Test func knownInstants() {
        #expect(UTCTime.timestamp(0) == "1970-01-01T00:00:00.000Z")
        #expect(UTCTime.timestamp(951_782_400.5) == "2000-02-29T00:00:00.500Z")
        #expect(UTCTime.timestamp(1_796_553_601.123) == "2026-12-06T10:40:01.123Z")
        #expect(UTCTime.timeOfDay(1_796_553_601.123, milliseconds: false) == "10:40:01")
    }
}
