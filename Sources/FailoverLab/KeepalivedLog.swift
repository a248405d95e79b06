/// keepalived's own account of its instances' states: the `(<instance>) Entering
/// <STATE> STATE` lines its VRRP process logs, in the order of its transitions.
///
/// Its notify calls are no such account: keepalived starts a notify script for each
/// transition without waiting for the one before, so two transitions a few
/// milliseconds apart can reach a notify log in either order.
public enum KeepalivedLog {
    /// The last state each instance entered in `text` (keepalived's `-l -D` output).
    public static func states(_ text: String) -> [String: String] {
        var states: [String: String] = [:]
        for line in text.split(separator: "\n") {
            guard let open = line.firstIndex(of: "("), let close = line[open...].firstIndex(of: ")") else { continue }
            let rest = line[line.index(after: close)...]
            let prefix = " Entering ", suffix = " STATE"
            guard rest.hasPrefix(prefix), rest.hasSuffix(suffix) else { continue }
            let state = rest.dropFirst(prefix.count).dropLast(suffix.count)
            states[String(line[line.index(after: open)..<close])] = String(state)
        }
        return states
    }
}
