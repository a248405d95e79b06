import Foundation
import Testing

/// A throwaway network namespace `ipf-env-<pid>-<n>` holding the interfaces a
/// rendered file names, for `keepalived -t` (which warns about missing interfaces).
final class TestNamespace {
    let namespace: String
    let directory: String
    let keepalived: String
    let ip: String

    init(interfaces: [String]) throws {
        keepalived = try #require(TestSupport.keepalived, "keepalived is not installed (Debian package keepalived)")
        ip = try #require(TestSupport.ip, "iproute2's ip is not installed")
        try #require(TestSupport.isRoot, "keepalived -t in a network namespace needs root")
        namespace = "ipf-env-\(getpid())-\(UInt32.random(in: 0...UInt32.max) % 100000)"
        directory = NSTemporaryDirectory() + namespace
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let added = try TestSupport.run([ip, "netns", "add", namespace])
        guard added.status == 0 else {
            try? FileManager.default.removeItem(atPath: directory)
            throw JudgeError(message: "ip netns add failed: \(added.output)")
        }
        do {
            for (index, name) in interfaces.enumerated() {
                // A dummy link when the kernel has the module, else one end of a veth pair.
                if try TestSupport.run([ip, "-n", namespace, "link", "add", name, "type", "dummy"]).status != 0 {
                    let veth = try TestSupport.run([ip, "-n", namespace, "link", "add", name, "type", "veth", "peer", "name", "peer\(index)"])
                    guard veth.status == 0 else { throw JudgeError(message: "cannot create \(name): \(veth.output)") }
                    _ = try TestSupport.run([ip, "-n", namespace, "link", "set", "peer\(index)", "up"])
                }
                // keepalived sizes an advert's address list by the MTU.
                _ = try TestSupport.run([ip, "-n", namespace, "link", "set", name, "mtu", "1500"])
                _ = try TestSupport.run([ip, "-n", namespace, "link", "set", name, "up"])
                let address = try TestSupport.run([ip, "-n", namespace, "addr", "add", "192.0.2.\(11 + index * 10)/24", "dev", name])
                guard address.status == 0 else { throw JudgeError(message: "cannot address \(name): \(address.output)") }
            }
        } catch {
            close()
            throw error
        }
    }

    /// Runs `arguments` inside the namespace.
    func exec(_ arguments: [String]) throws -> (status: Int32, output: String) {
        try TestSupport.run([ip, "netns", "exec", namespace] + arguments)
    }

    /// `ip -n <namespace> <arguments>`; throws when it fails.
    func ip(_ arguments: [String]) throws {
        let result = try TestSupport.run([ip, "-n", namespace] + arguments)
        guard result.status == 0 else { throw JudgeError(message: "ip \(arguments.joined(separator: " ")): \(result.output)") }
    }

    /// keepalived -t on `text`, written to `<name>.conf`.
    func verdict(_ text: String, name: String) throws -> (status: Int32, output: String) {
        let path = "\(directory)/\(name).conf"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return try check(path)
    }

    /// `keepalived -t -l [extra…] -f file` inside the namespace, bounded by 30 s.
    func check(_ file: String, _ extra: [String] = []) throws -> (status: Int32, output: String) {
        try TestSupport.run([ip, "netns", "exec", namespace, "timeout", "30", keepalived, "-t", "-l"] + extra + ["-f", file])
    }

    func close() {
        _ = try? TestSupport.run([ip, "netns", "del", namespace])
        try? FileManager.default.removeItem(atPath: directory)
    }

    struct JudgeError: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }
}
