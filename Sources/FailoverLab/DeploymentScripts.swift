import CDeploymentScripts
import Glibc

/// The check and notify scripts of deploy/kubernetes/scripts — the single source of
/// truth for them. The lab installs them into each node's scripts directory (as the
/// OpenShift ConfigMap procedure does) from the files when it can find them, or from
/// the same files compiled into the binary (CDeploymentScripts, by `#embed`).
public enum DeploymentScripts {
    /// deploy/kubernetes/scripts/mycheckscript.sh as compiled into the binary.
    public static var embeddedCheckScript: String { String(cString: ipf_deployment_check_script()) }
    /// deploy/kubernetes/scripts/mynotifyscript.sh as compiled into the binary.
    public static var embeddedNotifyScript: String { String(cString: ipf_deployment_notify_script()) }

    /// The check script's file name.
    public static let checkScriptName = "mycheckscript.sh"
    /// The notify script's file name.
    public static let notifyScriptName = "mynotifyscript.sh"
    /// Where the scripts live in the repository.
    public static let repositoryPath = "deploy/kubernetes/scripts"

    /// Where the script texts come from.
    public enum Source: Sendable, Hashable {
        /// The files in this directory (a checkout's deploy/kubernetes/scripts).
        case directory(String)
        /// The copies compiled into the binary.
        case embedded

        /// The check script's text.
        public func checkScript() throws -> String { try text(DeploymentScripts.checkScriptName) }
        /// The notify script's text.
        public func notifyScript() throws -> String { try text(DeploymentScripts.notifyScriptName) }

        private func text(_ name: String) throws -> String {
            switch self {
            case .embedded:
                return name == DeploymentScripts.checkScriptName ? embeddedCheckScript : embeddedNotifyScript
            case .directory(let directory):
                guard let text = LabFile.read("\(directory)/\(name)") else { throw Missing(path: "\(directory)/\(name)") }
                return text
            }
        }

        public var description: String {
            switch self {
            case .embedded: "the copies embedded in the binary"
            case .directory(let d): d
            }
        }
    }

    /// A script file could not be read.
    public struct Missing: Error, CustomStringConvertible {
        public var path: String
        public var description: String { "cannot read \(path)" }
    }

    /// The repository's scripts directory: `$IPFAILOVER_SCRIPTS_DIR`, else
    /// deploy/kubernetes/scripts under the working directory or under any parent of
    /// the running executable (a `swift build` tree inside a checkout); nil if none.
    public static func locate(executable: String? = currentExecutable()) -> String? {
        var candidates: [String] = []
        if let dir = getenv("IPFAILOVER_SCRIPTS_DIR") { candidates.append(String(cString: dir)) }
        if let cwd = getcwd(nil, 0) {
            candidates += ancestors(of: String(cString: cwd)).map { "\($0)/\(repositoryPath)" }
            free(cwd)
        }
        if let executable {
            candidates += ancestors(of: executable).map { "\($0)/\(repositoryPath)" }
        }
        return candidates.first { access("\($0)/\(checkScriptName)", R_OK) == 0 && access("\($0)/\(notifyScriptName)", R_OK) == 0 }
    }

    /// The files if they can be found, else the embedded copies.
    public static func bestSource() -> Source {
        locate().map(Source.directory) ?? .embedded
    }

    /// `/proc/self/exe`, resolved.
    public static func currentExecutable() -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard n > 0 else { return nil }
        return String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// `path` and each of its parent directories, nearest first.
    static func ancestors(of path: String) -> [String] {
        var parts = path.split(separator: "/").map(String.init)
        var out: [String] = []
        while !parts.isEmpty {
            out.append("/" + parts.joined(separator: "/"))
            parts.removeLast()
        }
        return out
    }
}
