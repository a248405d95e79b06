import FailoverTimeline
import Testing

/// The SVG at the XML level: lanes, bands, marks and escaping. (What a browser makes
/// of it: `TimelineLabTests` renders it in Chromium.)
@Suite struct TimelineRendererTests {
    static let t0 = 1_796_553_600.0

    static func record(_ t: Double, _ from: String, _ to: String, _ cause: String, notify ok: Bool? = true,
                       detail: String? = nil) -> TimelineDocument.Transition {
        TimelineDocument.Transition(
            time: t0 + t, from: from, to: to, cause: cause, reason: cause, detail: detail,
            notifies: ok.map { [TimelineDocument.NotifyCall(command: "notify.sh INSTANCE VI_1 \(to) 100",
                                                            result: $0 ? "exit 0" : "exit 7", succeeded: $0,
                                                            durationSeconds: 0.01)] } ?? [])
    }

    /// a: BACKUP, MASTER, FAULT (check), BACKUP, MASTER again; b: BACKUP, MASTER while a is in FAULT, BACKUP.
    static var sources: [TimelineSource] {
        let vips = ["198.51.100.10/32 dev eth0"]
        let a = TimelineDocument(generatedAt: t0 + 14, instances: [.init(name: "VI_1", state: "MASTER", virtualAddresses: vips, history: [
            record(0, "INIT", "BACKUP", "start"), record(1, "BACKUP", "MASTER", "master-down"),
            record(5, "MASTER", "FAULT", "check", detail: "chk: failed with exit 3"),
            record(8, "FAULT", "BACKUP", "faults-cleared"), record(11, "BACKUP", "MASTER", "master-down"),
        ])])
        let b = TimelineDocument(generatedAt: t0 + 14, instances: [.init(name: "VI_1", state: "BACKUP", virtualAddresses: vips, history: [
            record(0.2, "INIT", "BACKUP", "start"), record(5.1, "BACKUP", "MASTER", "priority-0", notify: false),
            record(11.1, "MASTER", "BACKUP", "advert"),
        ])])
        return [TimelineSource(label: "a", document: a), TimelineSource(label: "b", document: b)]
    }

    static func count(_ needle: String, in text: String) -> Int { text.components(separatedBy: needle).count - 1 }

    @Test func oneBandPerStateStretchEachMarkOnceAndWellFormed() {
        let svg = TimelineRenderer(title: "two nodes").svg(Self.sources)
        #expect(XMLCheck.problem(in: svg) == nil)
        #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\""))
        #expect(Self.count("class=\"state-MASTER\"", in: svg) == 3)
        #expect(Self.count("class=\"state-BACKUP\"", in: svg) == 4)
        #expect(Self.count("class=\"state-FAULT\"", in: svg) == 1)
        #expect(Self.count("class=\"check-failed\"", in: svg) == 1)
        #expect(Self.count("class=\"notify-ok\"", in: svg) == 7)
        #expect(Self.count("class=\"notify-failed\"", in: svg) == 1)
        // a → b when a faulted, b → a when a came back: two moves (the first master is none).
        #expect(Self.count("class=\"vip-moved\"", in: svg) == 2)
        #expect(svg.contains("VIP → b") && svg.contains("VIP → a"))
        #expect(svg.contains("198.51.100.10/32"))
        #expect(svg.contains(">10:40:00<") || svg.contains(">10:40:00.000<"), "the axis names UTC times of day")
        // Self-contained: no scripts, no external references.
        #expect(!svg.contains("<script") && !svg.contains("href"))
    }

    @Test func textFromTheDocumentIsEscaped() {
        var sources = Self.sources
        sources[0].label = "node <a> & \"b\""
        sources[0].document.instances[0].history![2].detail = "stderr: </svg><script>alert(1)</script> & more"
        let svg = TimelineRenderer(title: "t < u").svg(sources)
        #expect(XMLCheck.problem(in: svg) == nil)
        #expect(!svg.contains("<script"))
        #expect(svg.contains("node &lt;a&gt; &amp; &quot;b&quot;"))
    }

    @Test func aWindowCropsTheBandsAndAHighlightIsShaded() {
        let renderer = TimelineRenderer(window: (Self.t0 + 4)...(Self.t0 + 6),
                                        highlights: [.init(start: Self.t0 + 4.5, end: Self.t0 + 5.5, label: "violation 1")])
        let svg = renderer.svg(Self.sources)
        #expect(XMLCheck.problem(in: svg) == nil)
        // Inside 4…6: a MASTER→FAULT, b BACKUP→MASTER; the later stretches are left out.
        #expect(Self.count("class=\"state-FAULT\"", in: svg) == 1)
        #expect(Self.count("class=\"vip-moved\"", in: svg) == 1)
        #expect(svg.contains("violation 1"))
    }

    @Test func documentsWithoutHistoryOrInstancesStillDraw() throws {
        let old = try TimelineDocument.decode(Array(#"{"instances":[{"name":"VI_1","state":"BACKUP"}]}"#.utf8), source: "old.json")
        let svg = TimelineRenderer().svg([TimelineSource(label: "old", document: old)])
        #expect(XMLCheck.problem(in: svg) == nil)
        #expect(svg.contains("no transition history"))
        #expect(XMLCheck.problem(in: TimelineRenderer().svg([])) == nil)
    }

    @Test func aDocumentThatIsNotAStatusIsRefusedNamingIt() {
        #expect(throws: TimelineDocument.Invalid.self) { try TimelineDocument.decode(Array("[1,2]".utf8), source: "x.json") }
        do {
            _ = try TimelineDocument.decode(Array("nonsense".utf8), source: "x.json")
        } catch {
            #expect(error.description.hasPrefix("x.json is not an ipfailover /status document"))
        }
    }

    @Test func xmlCheckCatchesWhatItMust() {
        #expect(XMLCheck.problem(in: "<a><b></a></b>") != nil)
        #expect(XMLCheck.problem(in: "<a>x & y</a>") != nil)
        #expect(XMLCheck.problem(in: "<a x=1/>") != nil)
        #expect(XMLCheck.problem(in: "<a/><b/>") != nil)
        #expect(XMLCheck.problem(in: "<a x=\"1\"><b/>t &amp; u</a>") == nil)
    }
}
