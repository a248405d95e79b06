import CLinuxShim
import CProcessSpawn
import FailoverRuntime
import Glibc
import VRRPWire

/// Env mode's default check without a process: a non-blocking connect(2) watched by
/// the supervisor thread, closed as soon as it completes.
public struct LinuxTCPConnectProbe: TCPConnectProbe {
    /// Network namespace (a path such as `/run/netns/<name>`) to create the socket
    /// in; nil = the daemon's own. Lab tests use it; the daemon does not need it.
    public var networkNamespacePath: String?

    public init(networkNamespacePath: String? = nil) {
        self.networkNamespacePath = networkNamespacePath
    }

    public func connect(to address: IPAddress, port: UInt16, timeout: Duration) async -> TCPConnectResult {
        let start = ContinuousClock.now
        let fd: Int32
        switch openAndConnect(address: address, port: port) {
        case .failure(let reason): return .failed(reason)
        case .resourceExhausted(let reason): return .resourceExhausted(reason)
        case .connected(let socket):
            close(socket)
            return .connected(start.duration(to: .now))
        case .inProgress(let socket): fd = socket
        }
        let supervisor = ProcessSupervisor.shared
        let id = supervisor.makeID()
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                supervisor.submit(.connect(id, fd, timeout, start, continuation))
            }
        } onCancel: {
            supervisor.submit(.cancel(id))
        }
    }

    private enum Attempt {
        case connected(Int32), inProgress(Int32), failure(String), resourceExhausted(String)
    }

    private func openAndConnect(address: IPAddress, port: UInt16) -> Attempt {
        let family = address.family == .ipv4 ? AF_INET : AF_INET6
        var fd: Int32 = -1
        if let path = networkNamespacePath {
            // setns affects only this thread, and nothing suspends in between.
            let original = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC)
            let target = open(path, O_RDONLY | O_CLOEXEC)
            defer {
                if original >= 0 { _ = ipf_setns_net(original); close(original) }
                if target >= 0 { close(target) }
            }
            guard original >= 0, target >= 0 else { return .failure("cannot open namespace \(path)") }
            let rc = ipf_setns_net(target)
            guard rc == 0 else { return .failure("setns \(path): " + String(cString: strerror(-rc))) }
            fd = socket(family, clinux_SOCK_STREAM | clinux_SOCK_NONBLOCK | clinux_SOCK_CLOEXEC, 0)
        } else {
            fd = socket(family, clinux_SOCK_STREAM | clinux_SOCK_NONBLOCK | clinux_SOCK_CLOEXEC, 0)
        }
        guard fd >= 0 else {
            let code = errno
            let reason = "socket: " + String(cString: strerror(code))
            return code == ENOBUFS || ProcessSupervisor.isResourceErrno(code) ? .resourceExhausted(reason) : .failure(reason)
        }
        let rc: Int32
        switch address {
        case .v4(let v4):
            var sa = sockaddr_in()
            sa.sin_family = sa_family_t(AF_INET)
            sa.sin_port = port.bigEndian
            sa.sin_addr.s_addr = v4.value.bigEndian
            rc = withUnsafePointer(to: &sa) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
        case .v6(let v6):
            var sa = sockaddr_in6()
            sa.sin6_family = sa_family_t(AF_INET6)
            sa.sin6_port = port.bigEndian
            withUnsafeMutableBytes(of: &sa.sin6_addr) { raw in
                for (i, byte) in v6.bytes.enumerated() { raw[i] = byte }
            }
            rc = withUnsafePointer(to: &sa) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size))
                }
            }
        }
        if rc == 0 { return .connected(fd) }
        if errno == EINPROGRESS { return .inProgress(fd) }
        let reason = String(cString: strerror(errno))
        close(fd)
        return .failure(reason)
    }
}
