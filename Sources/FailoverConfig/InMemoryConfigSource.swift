/// Serves `include` from a dictionary of path → text (tests, embedded configs).
/// Patterns support `*`, `?` and `[…]` within one path component, like glob(3).
public struct InMemoryConfigSource: ConfigSource {
    /// The files by absolute or relative path.
    public var files: [String: String]

    public init(_ files: [String: String]) {
        self.files = files
    }

    public func resolveInclude(_ pattern: String, from includingFile: String, byteBudget: Int) -> IncludeResolution {
        let full = resolvedPattern(pattern, from: includingFile)
        let matches = files.keys.filter { GlobPattern(full).matches($0) }.sorted()
        if matches.isEmpty {
            return IncludeResolution(warnings: ["include '\(pattern)' matched no file"])
        }
        var resolution = IncludeResolution()
        var budget = byteBudget
        for name in matches {
            let text = files[name]!
            guard text.utf8.count <= budget else {
                resolution.errors.append("included '\(name)' is not read: with it the configuration and its "
                    + "includes would exceed \(SyntaxParser.maximumTotalBytes) bytes in all")
                return resolution
            }
            budget -= text.utf8.count
            resolution.files.append(IncludedFile(name: name, text: text))
        }
        return resolution
    }
}

/// A glob(3) pattern: `*` and `?` never match `/`; `[abc]`, `[a-z]` and `[!a]` classes.
public struct GlobPattern: Sendable {
    private let pattern: [Character]

    public init(_ pattern: String) {
        self.pattern = Array(pattern)
    }

    public func matches(_ path: String) -> Bool {
        var failed: Set<Int> = []
        let text = Array(path)
        return Self.match(pattern[...], text[...], width: text.count + 1, failed: &failed)
    }

    /// Every slice is a suffix of the pattern or of the path, so its start names it:
    /// `failed` remembers the pairs that do not match (pattern start × `width` + path
    /// start). Without it each `*` retries every split of what follows, and a pattern
    /// of many stars takes exponential time; with it, at most pattern × path pairs.
    private static func match(_ p: ArraySlice<Character>, _ s: ArraySlice<Character>, width: Int,
                              failed: inout Set<Int>) -> Bool {
        let key = p.startIndex * width + s.startIndex
        if failed.contains(key) { return false }
        if matchUncached(p, s, width: width, failed: &failed) { return true }
        failed.insert(key)
        return false
    }

    private static func matchUncached(_ p: ArraySlice<Character>, _ s: ArraySlice<Character>, width: Int,
                                      failed: inout Set<Int>) -> Bool {
        var p = p, s = s
        while let c = p.first {
            switch c {
            case "*":
                // Consecutive stars match what one does (none crosses '/').
                let rest = p.drop { $0 == "*" }
                var candidate = s
                while true {
                    if match(rest, candidate, width: width, failed: &failed) { return true }
                    guard let next = candidate.first, next != "/" else { return false }
                    candidate = candidate.dropFirst()
                }
            case "?":
                guard let next = s.first, next != "/" else { return false }
                p = p.dropFirst(); s = s.dropFirst()
            case "[":
                guard let next = s.first, let close = p.dropFirst(2).firstIndex(of: "]") else {
                    guard s.first == "[" else { return false }
                    p = p.dropFirst(); s = s.dropFirst()
                    continue
                }
                var set = p[(p.startIndex + 1)..<close]
                var negate = false
                if set.first == "!" || set.first == "^" { negate = true; set = set.dropFirst() }
                var found = false
                var items = Array(set)
                var k = 0
                while k < items.count {
                    if k + 2 < items.count, items[k + 1] == "-" {
                        if items[k] <= next && next <= items[k + 2] { found = true }
                        k += 3
                    } else {
                        if items[k] == next { found = true }
                        k += 1
                    }
                }
                items.removeAll()
                guard found != negate, next != "/" else { return false }
                p = p[(close + 1)...]; s = s.dropFirst()
            default:
                guard s.first == c else { return false }
                p = p.dropFirst(); s = s.dropFirst()
            }
        }
        return s.isEmpty
    }
}
