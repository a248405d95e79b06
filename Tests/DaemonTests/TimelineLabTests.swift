import FailoverLab
import Glibc
import Testing

/// `ipfailover timeline` on real daemons' `/status` — live and saved — and the SVG it
/// writes rendered by a real browser engine (Chromium, headless).
@Suite(.serialized, .enabled(if: LabRequirements.shouldRun(["ip"]), "needs root and iproute2"))
struct TimelineLabTests {
    @Test("A failover and failback drawn from two live daemons and from saved documents; Chromium renders the bands")
    func timelineOfAFailoverRendersInABrowser() async throws {
        try LabRequirements.require(["ip"])
        try await Lab.with(nodes: ["a", "b"]) { lab in
            let h = DaemonHarness(lab: lab)
            let a = lab.node("a"), b = lab.node("b")
            let down = try h.writeBreakableCheckPair(stderr: "backend refused", a: a, b: b)
            // On the node addresses too: the timeline in a's namespace reads b's endpoint.
            let pa = try h.start(a, statusHost: "0.0.0.0")
            #expect(await h.waitForState("MASTER", on: a), "\(pa.standardError)")
            let pb = try h.start(b, statusHost: "0.0.0.0")
            #expect(await h.waitForState("BACKUP", on: b), "\(pb.standardError)")
            try LabFile.write("", to: down)
            #expect(await h.waitForState("MASTER", on: b), "\(pb.standardError)")
            unlink(down)
            #expect(await h.waitForState("MASTER", on: a), "\(pa.standardError)")
            #expect(await h.waitForState("BACKUP", on: b), "\(pb.standardError)")

            let live = "\(lab.directory)/live.svg"
            let port = DaemonHarness.statusPort
            let run = try await lab.run(in: a.namespace, [
                DaemonHarness.binary, "timeline", "127.0.0.1:\(port)", "http://\(b.ipv4):\(port)/status",
                "--label", "a", "--label", "b", "--title", "failover and failback", "--output", live,
            ])
            #expect(run.standardOutput == live + "\n", "\(run.standardError)")
            let svg = try #require(LabFile.read(live))
            #expect(svg.contains("<title>failover and failback</title>"))
            for mark in ["state-MASTER", "state-BACKUP", "state-FAULT", "check-failed", "notify-ok", "vip-moved"] {
                #expect(svg.contains("class=\"\(mark)\""), "no \(mark) in the live timeline")
            }
            #expect(svg.contains("VIP → b") && svg.contains("VIP → a"), "both moves are marked")

            // The same from saved documents (what an operator attaches to a ticket).
            for node in [a, b] {
                let body = try #require(await h.get("/status", on: node))
                try LabFile.write(body, to: "\(lab.directory)/\(node.name).json")
            }
            let saved = try await lab.run(in: a.namespace, [
                DaemonHarness.binary, "timeline", "\(lab.directory)/a.json", "\(lab.directory)/b.json",
            ])
            #expect(saved.standardOutput.hasPrefix("<svg "))
            #expect(saved.standardOutput.contains("VIP → b"))
            #expect(saved.standardOutput.contains(": a, b</text>"), "file names without .json are the lane names")

            try await Self.renderInBrowser(svg: live, directory: lab.directory)
        }
    }

    @Test("timeline refuses a source that is neither a /status file nor HOST:PORT, naming it")
    func badSourceIsNamed() async throws {
        let result = try await LabCommand.run([DaemonHarness.binary, "timeline", "/nonexistent/status.json"], allowFailure: true)
        #expect(result.status == 1)
        #expect(result.standardError.contains("/nonexistent/status.json"), "\(result.standardError)")
        let notStatus = "/tmp/ipf-timeline-\(getpid()).json"
        try LabFile.write("{\"hello\": 1}", to: notStatus)
        defer { unlink(notStatus) }
        let wrong = try await LabCommand.run([DaemonHarness.binary, "timeline", notStatus], allowFailure: true)
        #expect(wrong.status == 1)
        #expect(wrong.standardError.contains("\(notStatus) is not an ipfailover /status document"), "\(wrong.standardError)")
    }

    /// Chromium renders `svg` to a PNG; the PNG must show the state bands in their
    /// colours, not a blank page. Skipped (with the reason) only when Chromium is absent
    /// outside CI.
    static func renderInBrowser(svg: String, directory: String) async throws {
        guard LabRequirements.has("chromium") || LabRequirements.isCI else {
            print("timeline browser check skipped: chromium is not installed (apt-get install chromium)")
            return
        }
        try LabRequirements.require(["chromium"])
        let text = try #require(LabFile.read(svg))
        let height = text.firstRange(of: "height=\"").flatMap { r in Int(text[r.upperBound...].prefix { $0.isNumber }) } ?? 400
        let png = "\(directory)/timeline.png"
        let shot = try await LabCommand.run([
            "timeout", "120", "chromium", "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
            "--user-data-dir=\(directory)/chromium-profile", "--screenshot=\(png)", "--window-size=1100,\(height)",
            "file://\(svg)",
        ], allowFailure: true)
        let bytes = try #require(LabFile.readBytes(png), "no screenshot: exit \(shot.status): \(shot.standardError.suffix(2000))")
        let image = try PNGImage(bytes)
        #expect(image.width == 1100)
        let white = image.count("#ffffff", tolerance: 0)
        let master = image.count("#2f9e44"), backup = image.count("#4c7bd9"), fault = image.count("#e03131")
        print("timeline in Chromium: \(image.width)×\(image.height), \(image.pixels.count - white) non-white pixels, "
              + "MASTER \(master), BACKUP \(backup), FAULT \(fault)")
        #expect(image.pixels.count - white > image.pixels.count / 50, "the page is (nearly) blank")
        // Each state's band is at least a sliver 14 px high; the legend swatch alone is 220 px.
        #expect(master > 400 && backup > 400, "MASTER \(master), BACKUP \(backup) pixels")
        #expect(fault > 220, "FAULT \(fault) pixels")
    }
}
