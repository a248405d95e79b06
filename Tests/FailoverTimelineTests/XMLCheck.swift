/// A strict little XML well-formedness check for the SVG the renderer writes: every
/// tag closed in order, attributes quoted, `<` and `&` in text only as markup or
/// entities, one root element. Returns the problem, or nil.
enum XMLCheck {
    static func problem(in text: String) -> String? {
        let chars = Array(text.unicodeScalars)
        var stack: [String] = []
        var roots = 0
        var i = 0
        func name(from start: Int) -> (String, Int) {
            var j = start
            var out = ""
            while j < chars.count, chars[j] != " ", chars[j] != ">", chars[j] != "/", chars[j] != "\n" {
                out.unicodeScalars.append(chars[j]); j += 1
            }
            return (out, j)
        }
        while i < chars.count {
            let c = chars[i]
            if c == "&" {
                let rest = String(String.UnicodeScalarView(chars[i..<min(i + 7, chars.count)]))
                guard ["&amp;", "&lt;", "&gt;", "&quot;", "&apos;"].contains(where: { rest.hasPrefix($0) }) else {
                    return "bare & at \(i)"
                }
                i += 1
                continue
            }
            guard c == "<" else { i += 1; continue }
            if i + 1 < chars.count, chars[i + 1] == "/" {
                let (n, j) = name(from: i + 2)
                guard stack.last == n else { return "</\(n)> closes <\(stack.last ?? "nothing")> at \(i)" }
                stack.removeLast()
                guard j < chars.count, chars[j] == ">" else { return "bad end tag at \(i)" }
                i = j + 1
                continue
            }
            let (n, start) = name(from: i + 1)
            guard !n.isEmpty, n.unicodeScalars.allSatisfy({ $0.properties.isAlphabetic || $0 == "-" || $0 == ":" }) else {
                return "bad tag name '\(n)' at \(i)"
            }
            var j = start
            var quote: Unicode.Scalar?
            while j < chars.count {
                let d = chars[j]
                if let q = quote {
                    if d == q { quote = nil } else if d == "<" { return "< inside an attribute at \(j)" }
                } else if d == "\"" || d == "'" {
                    guard j > 0, chars[j - 1] == "=" else { return "quote not after = at \(j)" }
                    quote = d
                } else if d == "=" {
                    guard j + 1 < chars.count, chars[j + 1] == "\"" || chars[j + 1] == "'" else { return "unquoted attribute at \(j)" }
                } else if d == ">" {
                    break
                }
                j += 1
            }
            guard j < chars.count else { return "unterminated tag <\(n)> at \(i)" }
            if stack.isEmpty { roots += 1 }
            if chars[j - 1] != "/" { stack.append(n) }
            i = j + 1
        }
        if !stack.isEmpty { return "unclosed <\(stack.joined(separator: "> <"))>" }
        return roots == 1 ? nil : "\(roots) root elements"
    }
}
