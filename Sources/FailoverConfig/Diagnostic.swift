/// A position in a configuration source: the file name as given to the parser (or as
/// found by `include`), a 1-based line and a 1-based column counted in characters.
public struct SourceLocation: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The file name as the user wrote it (for an include: the path the glob produced).
    public var file: String
    /// 1-based line number.
    public var line: Int
    /// 1-based column of the first character of the token.
    public var column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    /// `file:line:column`, or just `file` for the file as a whole (line 0).
    public var description: String { line == 0 ? file : "\(file):\(line):\(column)" }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        (lhs.file, lhs.line, lhs.column) < (rhs.file, rhs.line, rhs.column)
    }
}

/// One problem found in a configuration. Validation never stops at the first problem:
/// every front end returns all of them, in source order.
public struct Diagnostic: Hashable, Sendable, CustomStringConvertible {
    /// What a problem means for running the configuration, mirroring the categories
    /// behind `keepalived -t`'s exit codes (see `CheckConfigStatus`).
    public enum Category: Hashable, Sendable {
        /// The configuration (or part of it, e.g. one instance) cannot run as written.
        case cannotRun
        /// The value was ignored, defaulted, clamped or truncated; the rest runs.
        case adjusted
        /// Scripts are configured but `enable_script_security` is off.
        case scriptSecurity
    }

    /// How the diagnostic is printed: `error` for `cannotRun`, `warning` otherwise.
    public enum Severity: String, Hashable, Sendable {
        case error, warning
    }

    /// Where the problem is.
    public enum Location: Hashable, Sendable, CustomStringConvertible {
        /// A place in a keepalived.conf file.
        case source(SourceLocation)
        /// An environment variable (env mode).
        case environment(String)
        /// No single place (e.g. a whole-configuration check).
        case none

        public var description: String {
            switch self {
            case .source(let l): l.description
            case .environment(let name): name
            case .none: "<config>"
            }
        }
    }

    /// What the problem means for running the configuration (drives the exit status).
    public var category: Category
    /// Where the problem is.
    public var location: Location
    /// Human-readable text; tests compare it verbatim.
    public var message: String

    public init(_ category: Category, _ location: Location, _ message: String) {
        self.category = category
        self.location = location
        self.message = message
    }

    public var severity: Severity { category == .cannotRun ? .error : .warning }

    /// `file:line:column: error|warning: message`.
    public var description: String { "\(location): \(severity.rawValue): \(message)" }
}

/// The exit status of `ipfailover check-config`, chosen to mean what `keepalived -t`'s
/// man page documents (the Debian 2.2.7 binary deviates: it exits 5 for every adjusted
/// error and 6 for missing script security).
public enum CheckConfigStatus: Int32, Hashable, Sendable {
    /// No problems.
    case ok = 0
    /// At least one problem means (part of) the configuration cannot run.
    case cannotRun = 3
    /// Errors that were adjusted (ignored, defaulted, truncated); it runs.
    case adjusted = 4
    /// Only problem: scripts configured without `enable_script_security`.
    case scriptsWithoutSecurity = 5

    /// The most serious status present: cannot-run beats adjusted beats script security.
    public init(_ diagnostics: [Diagnostic]) {
        if diagnostics.contains(where: { $0.category == .cannotRun }) {
            self = .cannotRun
        } else if diagnostics.contains(where: { $0.category == .adjusted }) {
            self = .adjusted
        } else if diagnostics.contains(where: { $0.category == .scriptSecurity }) {
            self = .scriptsWithoutSecurity
        } else {
            self = .ok
        }
    }
}
