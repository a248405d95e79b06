import CLinuxShim
import FailoverConfig
import Glibc
import Synchronization
import VRRPWire

/// The state file listing VIPs we added: one `<interface> <address>/<prefix>` per
/// line, rewritten atomically (`AtomicFile`: temp file + rename, never through a
/// link or over anything but a regular file) before each add and after each
/// remove — once per batch, not per address — so a crash between the two never
/// loses an owned address.
///
/// No fsync: the file guards against a crashed *process* (the page cache survives
/// it and the rename is atomic for every reader). Addresses do not survive a reboot,
/// so neither needs the file. An fsync per write cost about 10 ms per VIP on this
/// project's machine (10 s for 1,000 VIPs) and could stall for seconds under I/O load.
///
/// The list is read from disk once and kept in memory, so a change costs one write
/// of the file, not a read and parse as well.
final class OwnedAddressFile: Sendable {
    struct Entry: Hashable, Sendable {
        var interface: String
        var address: IPAddress
        var prefixLength: UInt8
    }

    let path: String
    /// The file's entries once read (nil: not read yet).
    private let cache = Mutex<[Entry]?>(nil)

    init(path: String) { self.path = path }

    func entries() throws -> [Entry] {
        try cache.withLock { try Self.loaded(&$0, path: path) }
    }

    func insert(_ vip: VirtualAddress) throws { try insert(contentsOf: [vip]) }

    /// Records every VIP not yet listed, with one rewrite of the file.
    func insert(contentsOf vips: [VirtualAddress]) throws {
        try cache.withLock { cached in
            var list = try Self.loaded(&cached, path: path)
            let before = list.count
            var listed = Set(list)
            for vip in vips {
                let entry = Entry(interface: vip.interface, address: vip.address, prefixLength: vip.prefixLength)
                if listed.insert(entry).inserted { list.append(entry) }
            }
            guard list.count != before else { return }
            try write(list)
            cached = list
        }
    }

    func remove(_ address: IPAddress, interface: String) throws {
        try remove(contentsOf: [(address, interface)])
    }

    /// Forgets every `(address, interface)` listed, with one rewrite of the file.
    func remove(contentsOf addresses: [(address: IPAddress, interface: String)]) throws {
        struct Key: Hashable { var address: IPAddress; var interface: String }
        let gone = Set(addresses.map { Key(address: $0.address, interface: $0.interface) })
        try cache.withLock { cached in
            let list = try Self.loaded(&cached, path: path)
            let kept = list.filter { !gone.contains(Key(address: $0.address, interface: $0.interface)) }
            guard kept.count != list.count else { return }
            try write(kept)
            cached = kept
        }
    }

    func clear() throws {
        try cache.withLock { cached in
            if access(path, F_OK) == 0 { try write([]) }
            cached = []
        }
    }

    private static func loaded(_ cached: inout [Entry]?, path: String) throws -> [Entry] {
        if let cached { return cached }
        let list = try read(path: path)
        cached = list
        return list
    }

    private static func read(path: String) throws -> [Entry] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return [] }
            throw LinuxNetworkingError.stateFile(path: path, errno: errno)
        }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0, errno == EINTR { continue }
            if n < 0 { throw LinuxNetworkingError.stateFile(path: path, errno: errno) }
            if n == 0 { break }
            bytes += chunk[0..<n]
        }
        // Lines that do not parse are ignored: the file is ours, a torn line is not an address.
        return String(decoding: bytes, as: UTF8.self).split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ")
            guard fields.count == 2 else { return nil }
            let parts = fields[1].split(separator: "/")
            guard parts.count == 2, let address = IPAddress(parts[0]), let prefix = UInt8(parts[1]) else { return nil }
            return Entry(interface: String(fields[0]), address: address, prefixLength: prefix)
        }
    }

    private func write(_ list: [Entry]) throws {
        try makeParentDirectory()
        let text = list.map { "\($0.interface) \($0.address)/\($0.prefixLength)\n" }.joined()
        do {
            try AtomicFile.write(Array(text.utf8), to: path)
        } catch {
            // A refusal (the path is not a regular file) has no errno; its text names the path.
            guard let code = error.errno else { throw error }
            throw LinuxNetworkingError.stateFile(path: path, errno: code)
        }
    }

    private func makeParentDirectory() throws {
        var prefix = ""
        for component in path.split(separator: "/").dropLast() {
            prefix += "/" + component
            if mkdir(prefix, 0o755) != 0, errno != EEXIST {
                throw LinuxNetworkingError.stateFile(path: prefix, errno: errno)
            }
        }
    }
}
