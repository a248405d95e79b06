import Glibc

/// A node of a `LabCluster` with its files, laid out as the OpenShift ConfigMap
/// procedure does: the check and notify scripts in a scripts directory, given to the
/// daemon by full path; the check script's maintenance file and the notify log
/// per node (the scripts read `IPF_CHECK_STATE_FILE` / `IPF_NOTIFY_LOG` from the
/// daemon's environment, which they inherit).
public struct ClusterNode: Sendable, Hashable {
    /// The namespace, interface and addresses.
    public var node: Lab.Node
    /// The node's private directory in the lab directory.
    public var directory: String

    /// Short name ("a", "b", …).
    public var name: String { node.name }
    /// The namespace name.
    public var namespace: String { node.namespace }
    /// Where the check and notify scripts are installed.
    public var scriptsDirectory: String { directory + "/scripts" }
    /// Full path of the check script (OPENSHIFT_HA_CHECK_SCRIPT).
    public var checkScript: String { scriptsDirectory + "/" + DeploymentScripts.checkScriptName }
    /// Full path of the notify script (OPENSHIFT_HA_NOTIFY_SCRIPT).
    public var notifyScript: String { scriptsDirectory + "/" + DeploymentScripts.notifyScriptName }
    /// While this file exists the check script fails (IPF_CHECK_STATE_FILE).
    public var checkStateFile: String { directory + "/check-fail" }
    /// The notify script's log (IPF_NOTIFY_LOG).
    public var notifyLog: String { directory + "/notify.log" }
    /// The keepalived.conf the daemon runs from (env mode renders it there).
    public var configPath: String { directory + "/keepalived.conf" }
    /// The daemon's `--owned-addresses-file`.
    public var ownedAddressesFile: String { directory + "/owned-addresses" }

    /// Makes the check script fail from its next run on (touches the maintenance file).
    public func failCheck() throws { try LabFile.write("lab\n", to: checkStateFile) }

    /// Makes the check script pass again.
    public func passCheck() { unlink(checkStateFile) }

    /// The notify calls recorded so far.
    public var notifications: [NotifyRecord] { NotifyRecord.parse(LabFile.read(notifyLog) ?? "") }

    /// The environment the scripts read, to add to the daemon's.
    public var scriptEnvironment: [String: String] {
        ["IPF_CHECK_STATE_FILE": checkStateFile, "IPF_NOTIFY_LOG": notifyLog]
    }

    /// Creates the directories and installs the scripts (mode 0755) from `source`.
    func install(scripts source: DeploymentScripts.Source) throws {
        for dir in [directory, scriptsDirectory] where mkdir(dir, 0o755) != 0 && errno != EEXIST {
            throw LabCommand.Failure(result: .init(arguments: ["mkdir", dir], status: errno, standardOutput: "", standardError: ""))
        }
        try LabFile.write(try source.checkScript(), to: checkScript, mode: 0o755)
        try LabFile.write(try source.notifyScript(), to: notifyScript, mode: 0o755)
    }
}
