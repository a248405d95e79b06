import FailoverConfig
import VRRPWire

/// Environment sets modelled on OpenShift's ipfailover acceptance cases. Each renders
/// to Fixtures/golden/<name>.conf.
struct GoldenCase: Sendable, CustomStringConvertible {
    var name: String
    var environment: [String: String]
    var node: NodeIdentity

    var description: String { name }

    var goldenPath: String { "\(TestSupport.fixtures)/golden/\(name).conf" }

    static let nodeA = NodeIdentity(hostname: "node-a", primaryAddress: IPAddress("192.0.2.11"), interface: "eth0")

    static let all: [GoldenCase] = [
        GoldenCase(name: "plain-deploy", environment: [
            "OPENSHIFT_HA_VIRTUAL_IPS": "198.51.100.10",
            "OPENSHIFT_HA_NETWORK_INTERFACE": "eth0",
        ], node: nodeA),
        GoldenCase(name: "customised", environment: [
            "OPENSHIFT_HA_CONFIG_NAME": "ipf-ha.custom",
            "OPENSHIFT_HA_VIRTUAL_IPS": "198.51.100.20-24, 198.51.100.30",
            "OPENSHIFT_HA_VIP_GROUPS": "2",
            "OPENSHIFT_HA_NETWORK_INTERFACE": "eth0",
            "OPENSHIFT_HA_CHECK_SCRIPT": "/usr/bin/true",
            "OPENSHIFT_HA_CHECK_INTERVAL": "5",
            "OPENSHIFT_HA_NOTIFY_SCRIPT": "/etc/keepalive/notify.sh",
            "OPENSHIFT_HA_PREEMPTION": "preempt_delay 60",
            "OPENSHIFT_HA_VRRP_ID_OFFSET": "20",
            "OPENSHIFT_HA_REPLICA_COUNT": "3",
            "OPENSHIFT_HA_UNICAST_PEERS": "192.0.2.11,192.0.2.12,192.0.2.13",
        ], node: nodeA),
        GoldenCase(name: "vips-255-groups-238-offset-0", environment: [
            "OPENSHIFT_HA_VIRTUAL_IPS": "198.51.100.1-255",
            "OPENSHIFT_HA_VIP_GROUPS": "238",
            "OPENSHIFT_HA_VRRP_ID_OFFSET": "0",
            "OPENSHIFT_HA_NETWORK_INTERFACE": "eth0",
            "OPENSHIFT_HA_REPLICA_COUNT": "2",
        ], node: nodeA),
        GoldenCase(name: "nopreempt", environment: [
            "OPENSHIFT_HA_VIRTUAL_IPS": "198.51.100.50-51",
            "OPENSHIFT_HA_NETWORK_INTERFACE": "eth0",
            "OPENSHIFT_HA_PREEMPTION": "nopreempt",
            "OPENSHIFT_HA_MONITOR_PORT": "8080",
        ], node: nodeA),
        GoldenCase(name: "preempt-delay-120", environment: [
            "OPENSHIFT_HA_VIRTUAL_IPS": "198.51.100.50-51",
            "OPENSHIFT_HA_NETWORK_INTERFACE": "eth0",
            "OPENSHIFT_HA_PREEMPTION": "preempt_delay 120",
            "OPENSHIFT_HA_MONITOR_PORT": "8080",
        ], node: nodeA),
        GoldenCase(name: "excluded-vrid-9", environment: [
            "OPENSHIFT_HA_VIRTUAL_IPS": "198.51.100.40-44",
            "OPENSHIFT_HA_NETWORK_INTERFACE": "eth0",
            "OPENSHIFT_HA_VRRP_ID_OFFSET": "5",
            "HA_EXCLUDED_VRRP_IDS": "9",
        ], node: nodeA),
        // OpenShift case 49214 (254 VIPs, HA_EXCLUDED_VRRP_IDS=9) with offset 0: IDs 1…8, 10…255 fit
        // exactly. With the default offset 10 the image renders VRIDs above 255; we refuse (BadInputTests).
        GoldenCase(name: "vips-254-excluded-9-offset-0", environment: [
            "OPENSHIFT_HA_VIRTUAL_IPS": "198.51.100.1-254",
            "OPENSHIFT_HA_NETWORK_INTERFACE": "eth0",
            "OPENSHIFT_HA_VRRP_ID_OFFSET": "0",
            "HA_EXCLUDED_VRRP_IDS": "9",
            "OPENSHIFT_HA_REPLICA_COUNT": "2",
        ], node: nodeA),
        GoldenCase(name: "ipv6-no-check", environment: [
            "OPENSHIFT_HA_VIRTUAL_IPS": "2001:db8::10-12",
            "OPENSHIFT_HA_VIP_GROUPS": "1",
            "OPENSHIFT_HA_NETWORK_INTERFACE": "eth0",
            "OPENSHIFT_HA_MONITOR_PORT": "0",
        ], node: nodeA),
    ]

    /// The model and rendered text of this case (the test fails if the env is invalid).
    func render() -> (configuration: Configuration?, text: String?, diagnostics: [Diagnostic]) {
        let (configuration, _, diagnostics) = OpenShiftEnvironment.configuration(environment: environment, node: node)
        return (configuration, configuration.map { KeepalivedRenderer.environmentMode(node: node).render($0) }, diagnostics)
    }
}
