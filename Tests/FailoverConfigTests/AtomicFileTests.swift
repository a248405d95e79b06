import Foundation
import Testing
import FailoverConfig

/// Every file ipfailover writes (`render --output`, the env-mode keepalived.conf, the
/// SIGUSR dumps, the owned-address state file) goes through `AtomicFile`: it replaces
/// only a regular file, never follows or replaces a symbolic link, and is atomic.
@Suite("Writes replace only regular files", .serialized)
struct AtomicFileTests {
    func temporaryDirectory() throws -> String {
        let directory = NSTemporaryDirectory() + "ipf-write-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return directory
    }

    /// The file type bits of `path` itself (not of a link's target).
    func type(_ path: String) -> mode_t? {
        var info = stat()
        return lstat(path, &info) == 0 ? info.st_mode & S_IFMT : nil
    }

    /// A character device with /dev/full's numbers (1, 7), made in `directory`.
    func makeFullDevice(_ path: String) -> Bool {
        mknod(path, S_IFCHR | 0o600, dev_t((1 << 8) | 7)) == 0
    }

    func leftovers(_ directory: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.contains(".tmp.") }
    }

    /// A fresh directory with a regular `target.conf` ("precious") and what a write must
    /// not replace: `fifo`, `full` (a character device) and `link` (to target.conf).
    func directoryOfNonRegularFiles() throws -> String {
        let directory = try temporaryDirectory()
        try "precious\n".write(toFile: "\(directory)/target.conf", atomically: false, encoding: .utf8)
        #expect(mkfifo("\(directory)/fifo", 0o600) == 0)
        #expect(makeFullDevice("\(directory)/full"))
        #expect(symlink("\(directory)/target.conf", "\(directory)/link") == 0)
        return directory
    }

    /// target.conf still holds what it held and no temporary file is left behind.
    func expectNothingReplaced(in directory: String) throws {
        #expect(try String(contentsOfFile: "\(directory)/target.conf", encoding: .utf8) == "precious\n")
        #expect(try leftovers(directory).isEmpty)
    }

    @Test("A FIFO, a device node, a directory or a symbolic link at the path is refused, named and left as it was",
          .enabled(if: TestSupport.isRoot || TestSupport.isCI, "mknod needs root"))
    func onlyRegularFilesAreReplaced() throws {
        let directory = try directoryOfNonRegularFiles()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect(mkdir("\(directory)/dir", 0o700) == 0)
        #expect(symlink("\(directory)/full", "\(directory)/link-to-device") == 0)
        #expect(symlink("\(directory)/nowhere", "\(directory)/dangling") == 0)
        let cases: [(String, mode_t, String)] = [
            ("fifo", S_IFIFO, "a FIFO"), ("full", S_IFCHR, "a character device"), ("dir", S_IFDIR, "a directory"),
            ("link", S_IFLNK, "a symbolic link"), ("link-to-device", S_IFLNK, "a symbolic link"),
            ("dangling", S_IFLNK, "a symbolic link"),
        ]
        for (name, kind, what) in cases {
            let path = "\(directory)/\(name)"
            #expect(throws: AtomicFile.WriteError(path: path, reason: "it is \(what), not a regular file; only a regular file is replaced")) {
                try ConfigLoader.write("new\n", to: path)
            }
            #expect(type(path) == kind, "\(name) was replaced")
        }
        #expect(type("\(directory)/nowhere") == nil, "the dangling link was followed")
        try expectNothingReplaced(in: directory)
    }

    @Test("A regular file is replaced atomically, keeping its permission bits; a new one is created 0644")
    func regularFileIsReplaced() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = "\(directory)/k.conf"
        try ConfigLoader.write("one\n", to: path)
        var info = stat()
        #expect(stat(path, &info) == 0 && info.st_mode & 0o7777 == 0o644)
        #expect(chmod(path, 0o600) == 0)
        try ConfigLoader.write("two\n", to: path)
        #expect(stat(path, &info) == 0 && info.st_mode & 0o7777 == 0o600)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "two\n")
        #expect(try leftovers(directory).isEmpty)
    }

    @Test("render --output to a FIFO, a symbolic link or a character device fails naming the path; nothing is replaced",
          .enabled(if: CommandLineTests.canRun && (TestSupport.isRoot || TestSupport.isCI),
                   "needs the ipfailover binary and root (mknod)"))
    func renderOutputRefusesNonRegularFiles() throws {
        let binary = try #require(CommandLineTests.binary, "ipfailover binary not found next to the test bundle")
        let directory = try directoryOfNonRegularFiles()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let vars = ["-i", "OPENSHIFT_HA_VIRTUAL_IPS=198.51.100.10", "OPENSHIFT_HA_NETWORK_INTERFACE=eth0",
                    "IPFAILOVER_HOSTNAME=node-a"]
        for (name, kind, what) in [("fifo", S_IFIFO, "a FIFO"), ("full", S_IFCHR, "a character device"),
                                   ("link", S_IFLNK, "a symbolic link")] {
            let path = "\(directory)/\(name)"
            let result = try TestSupport.run(["/usr/bin/env"] + vars + [binary, "render", "--node-address", "192.0.2.11",
                                                                        "--output", path])
            #expect(result.status == 1, "\(name): \(result.output)")
            #expect(result.output == "cannot write \(path): it is \(what), not a regular file; only a regular file is replaced\n")
            #expect(type(path) == kind)
        }
        try expectNothingReplaced(in: directory)
    }
}
