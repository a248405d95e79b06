#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The file-system side of configuration loading: reads files and expands `include`
/// patterns with glob(3). The only file I/O in FailoverConfig besides
/// `SystemNodeIdentity`; the parser itself only sees text.
public struct FileConfigSource: ConfigSource {
    public init() {}

    /// Reads a whole file as UTF-8 (invalid bytes are repaired), or nil when it cannot be opened.
    public static func readFile(_ path: String) -> String? {
        guard let file = fopen(path, "rb") else { return nil }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buffer.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, file) }
            if n > 0 { bytes += buffer[0..<n] }
            if n < buffer.count { break }
        }
        if ferror(file) != 0 { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }

    public func resolveInclude(_ pattern: String, from includingFile: String) -> (files: [IncludedFile], problems: [String]) {
        let full = resolvedPattern(pattern, from: includingFile)
        var result = glob_t()
        defer { globfree(&result) }
        let status = glob(full, 0, nil, &result)
        if status == GLOB_NOMATCH {
            return ([], ["include '\(pattern)' matched no file"])
        }
        guard status == 0 else {
            return ([], ["include '\(pattern)': glob failed (\(status))"])
        }
        var files: [IncludedFile] = []
        var problems: [String] = []
        for i in 0..<Int(result.gl_pathc) {
            guard let cPath = result.gl_pathv[i] else { continue }
            let path = String(cString: cPath)
            if let text = Self.readFile(path) {
                files.append(IncludedFile(name: path, text: text))
            } else {
                problems.append("cannot read included file '\(path)': \(String(cString: strerror(errno)))")
            }
        }
        return (files, problems)
    }
}
