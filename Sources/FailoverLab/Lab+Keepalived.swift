import Glibc
import LinuxNetworking

extension Lab {
    /// Starts a real keepalived in `node`'s namespace with `configuration` as its
    /// keepalived.conf: foreground (`-n`), console log (`-l -D`) and no syslog (`-G`),
    /// pid files in the lab directory, so several labs can run keepalived at once.
    /// `destroy()` stops it by PID. Its log is the returned process's standard error.
    ///
    /// `-G` matters: without a syslog daemon (no /dev/log) `-l` makes syslog fall back
    /// to /dev/console (LOG_CONS), which on this VM is a serial port. keepalived then
    /// spent most of its time in `uart_write`: about 1 ms per log line, 2 s per round
    /// of announcements for 1,000 VIPs (it logs two lines per announced address).
    public func spawnKeepalived(on node: Node, configuration: String, name: String = "keepalived") throws -> LabProcess {
        let base = "\(directory)/\(name)"
        try LabFile.write(configuration, to: base + ".conf")
        return try spawn(in: node.namespace, [
            "keepalived", "-n", "-l", "-D", "-G", "-f", base + ".conf",
            "-p", base + ".pid", "-r", base + ".vrrp.pid", "-c", base + ".checkers.pid",
        ], logName: name)
    }

    /// Waits until keepalived's log shows `line` after the last occurrence of
    /// `after` (if given); returns whether it did before `timeout`.
    public func waitForKeepalivedLog(_ process: LabProcess, _ line: String, after: String? = nil,
                                     timeout: Duration = .seconds(15)) async -> Bool {
        await waitForFile(process.standardErrorPath, timeout: timeout) { text in
            guard let after else { return text.contains(line) }
            guard let start = text.ranges(of: after).last else { return false }
            return text[start.upperBound...].contains(line)
        }.satisfied
    }
}
