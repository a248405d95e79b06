import Foundation
import Testing
import FailoverConfig

/// env → model → keepalived.conf, compared byte for byte with Fixtures/golden, then
/// parsed back to the same model. `UPDATE_GOLDEN=1 swift test` rewrites the files.
@Suite("Golden renders of OPENSHIFT_HA_* environments")
struct GoldenRenderTests {
    @Test("Rendered keepalived.conf matches the golden file and parses back to the same model",
          arguments: GoldenCase.all)
    func goldenRoundTrip(_ golden: GoldenCase) throws {
        let (configuration, text, diagnostics) = golden.render()
        #expect(diagnostics.isEmpty, "\(diagnostics.map(\.description))")
        let model = try #require(configuration)
        let rendered = try #require(text)
        if ProcessInfo.processInfo.environment["UPDATE_GOLDEN"] == "1" {
            try FileManager.default.createDirectory(atPath: "\(TestSupport.fixtures)/golden", withIntermediateDirectories: true)
            try rendered.write(toFile: golden.goldenPath, atomically: true, encoding: .utf8)
        }
        let expected = try String(contentsOfFile: golden.goldenPath, encoding: .utf8)
        #expect(rendered == expected)

        let parsed = TestSupport.parse(expected, file: golden.goldenPath)
        #expect(parsed.diagnostics.isEmpty, "\(parsed.diagnostics.map(\.description))")
        #expect(parsed.configuration == model)
    }

    @Test("Same inputs give the same bytes (no randomness in env mode)")
    func deterministic() {
        for golden in GoldenCase.all {
            #expect(golden.render().text == golden.render().text)
        }
    }

    @Test("No rendered instance has priority 255 or state MASTER")
    func noOwnerNoMaster() throws {
        for golden in GoldenCase.all {
            let model = try #require(golden.render().configuration)
            #expect(model.instances.allSatisfy { !$0.priority.isOwner && $0.state == .backup })
        }
    }
}
