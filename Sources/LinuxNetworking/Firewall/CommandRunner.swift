import CLinuxShim
import Glibc

/// Runs a short helper command (here only `nft`) to completion on a dedicated
/// thread, optionally inside a network namespace (the child inherits the
/// thread's namespace). Output goes through unlinked temporary files so a large
/// listing cannot fill a pipe and deadlock.
enum CommandRunner {
    struct Output: Sendable {
        var status: Int32
        var standardOutput: String
        var standardError: String
    }

    static func run(_ arguments: [String], input: String, namespacePath: String?) async throws -> Output {
        let body: @Sendable () throws -> Output = { try runBlocking(arguments, input: input) }
        if let namespacePath { return try await NetworkNamespace.run(inNamespaceAt: namespacePath, body) }
        return try await DedicatedThread.run(body)
    }

    private static func temporaryFile() throws -> Int32 {
        var template = Array("/tmp/ipfailover-cmd-XXXXXX".utf8CString)
        let fd = mkstemp(&template)
        guard fd >= 0 else { throw LinuxNetworkingError.systemCall(name: "mkstemp", errno: errno, context: "/tmp") }
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        return fd
    }

    private static func contents(_ fd: Int32) -> String {
        lseek(fd, 0, SEEK_SET)
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16384)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0, errno == EINTR { continue }
            if n <= 0 { break }
            bytes += chunk[0..<n]
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func runBlocking(_ arguments: [String], input: String) throws -> Output {
        let stdin = try temporaryFile(), stdout = try temporaryFile(), stderr = try temporaryFile()
        defer { close(stdin); close(stdout); close(stderr) }
        let bytes = Array(input.utf8)
        _ = bytes.withUnsafeBytes { write(stdin, $0.baseAddress, $0.count) }
        lseek(stdin, 0, SEEK_SET)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, stdin, 0)
        posix_spawn_file_actions_adddup2(&actions, stdout, 1)
        posix_spawn_file_actions_adddup2(&actions, stderr, 2)
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }
        var pid: pid_t = 0
        let rc = posix_spawnp(&pid, arguments[0], &actions, nil, &argv, environ)
        guard rc == 0 else { throw LinuxNetworkingError.systemCall(name: "posix_spawnp", errno: rc, context: arguments[0]) }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            if errno != EINTR { throw LinuxNetworkingError.systemCall(name: "waitpid", errno: errno, context: arguments[0]) }
        }
        let code = status & 0x7F == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
        return Output(status: code, standardOutput: contents(stdout), standardError: contents(stderr))
    }
}
