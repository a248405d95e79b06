import Glibc

/// What a lab test needs (root, tools on PATH) and how to react when it is missing:
/// in CI (`CI=true`) the test runs and fails loudly; elsewhere it is skipped.
public enum LabRequirements {
    /// True when running as root.
    public static var isRoot: Bool { geteuid() == 0 }

    /// True when the environment says CI.
    public static var isCI: Bool {
        guard let value = getenv("CI") else { return false }
        return String(cString: value).lowercased() == "true"
    }

    /// True when `tool` is an executable in PATH.
    public static func has(_ tool: String) -> Bool {
        let path = getenv("PATH").map { String(cString: $0) } ?? "/usr/sbin:/usr/bin:/sbin:/bin"
        return path.split(separator: ":").contains { access("\($0)/\(tool)", X_OK) == 0 }
    }

    /// Every unmet requirement, e.g. ["root", "keepalived"].
    public static func missing(_ tools: [String]) -> [String] {
        (isRoot ? [] : ["root"]) + tools.filter { !has($0) }
    }

    /// Whether a test should run: always in CI (so it can fail), else only when
    /// nothing is missing. Use with Swift Testing's `.enabled(if:)`.
    public static func shouldRun(_ tools: [String]) -> Bool {
        isCI || missing(tools).isEmpty
    }

    /// Throws a descriptive error when something is missing (reached only in CI,
    /// where `shouldRun` let the test start regardless).
    public static func require(_ tools: [String]) throws {
        let missing = missing(tools)
        if !missing.isEmpty { throw Missing(requirements: missing) }
    }

    public struct Missing: Error, CustomStringConvertible {
        public var requirements: [String]
        public var description: String {
            "lab test needs \(requirements.joined(separator: ", ")) (CI=true: failing instead of skipping)"
        }
    }
}
