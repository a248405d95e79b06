/// Wall-clock seconds since 1970 as UTC text, without a calendar library: the
/// history table and the timeline's axis print times of day from several nodes,
/// and UTC keeps them comparable whatever each node's time zone.
public enum UTCTime {
    /// `2026-12-06T10:40:01.123Z`.
    public static func timestamp(_ seconds: Double) -> String {
        let (date, time) = split(seconds)
        return "\(date)T\(time)Z"
    }

    /// `10:40:01.123`.
    public static func timeOfDay(_ seconds: Double, milliseconds: Bool = true) -> String {
        let time = split(seconds).time
        return milliseconds ? time : String(time.prefix(8))
    }

    /// `2026-12-06`.
    public static func date(_ seconds: Double) -> String { split(seconds).date }

    private static func split(_ seconds: Double) -> (date: String, time: String) {
        guard seconds.isFinite else { return ("????-??-??", "??:??:??.???") }
        let millis = Int64((seconds * 1000).rounded(.down))
        let days = millis >= 0 ? millis / 86_400_000 : (millis - 86_399_999) / 86_400_000
        let inDay = millis - days * 86_400_000
        let (y, m, d) = civil(days: days)
        let h = inDay / 3_600_000, min = inDay / 60_000 % 60, s = inDay / 1000 % 60, ms = inDay % 1000
        return ("\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))", "\(pad(h, 2)):\(pad(min, 2)):\(pad(s, 2)).\(pad(ms, 3))")
    }

    /// Days since 1970-01-01 → proleptic Gregorian date (H. Hinnant's `civil_from_days`).
    private static func civil(days: Int64) -> (Int64, Int64, Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    private static func pad(_ value: Int64, _ width: Int) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }
}
