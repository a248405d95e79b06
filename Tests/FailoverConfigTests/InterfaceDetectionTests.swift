import Testing
import FailoverConfig
import VRRPWire

/// Which interface env mode uses when OPENSHIFT_HA_NETWORK_INTERFACE is unset.
@Suite("Interface detection as the image does it")
struct InterfaceDetectionTests {
    @Test("Unset OPENSHIFT_HA_NETWORK_INTERFACE: first existing of enp0s3 enp0s8 eth1 ens3, then the route's device")
    func imageOrder() {
        let choose = SystemNodeIdentity.chooseInterface
        #expect(choose(nil, ["lo", "eth0", "ens3", "eth1"], "eth0") == "eth1")
        #expect(choose(nil, ["lo", "eth0", "enp0s8", "enp0s3"], "eth0") == "enp0s3")
        #expect(choose(nil, ["lo", "eth0", "ens3"], "eth0") == "ens3")
        #expect(choose(nil, ["lo", "eth0", "bond0"], "bond0") == "bond0")
        #expect(choose("eth0", ["lo", "eth1"], "eth1") == "eth0")
        #expect(choose(nil, ["lo"], nil) == nil)
    }

    @Test("The route device is the kernel's longest-prefix match toward 8.8.8.8, lowest metric first")
    func routeDevice() {
        // /proc/net/route: addresses are the network-order words printed in hex.
        let table = """
            Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT
            eth0\t00000000\t010200C0\t0003\t0\t0\t100\t00000000\t0\t0\t0
            eth9\t00000000\t010200C0\t0003\t0\t0\t50\t00000000\t0\t0\t0
            eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0
            eth2\t00000008\t00000000\t0001\t0\t0\t0\t000000FF\t0\t0\t0
            eth3\t08080808\t00000000\t0000\t0\t0\t0\tFFFFFFFF\t0\t0\t0
            """
        let google = IPv4Address(8, 8, 8, 8)
        #expect(SystemNodeIdentity.routeInterface(toward: google, procNetRoute: table) == "eth2")
        let defaults = table.split(separator: "\n").filter { !$0.hasPrefix("eth2") }.joined(separator: "\n")
        #expect(SystemNodeIdentity.routeInterface(toward: google, procNetRoute: defaults) == "eth9")
        #expect(SystemNodeIdentity.routeInterface(toward: IPv4Address(192, 0, 2, 7), procNetRoute: table) == "eth0")
    }

    @Test("No interface detected: the error names the variable and the image's candidates")
    func noInterface() {
        let (configuration, _, diagnostics) = OpenShiftEnvironment.configuration(
            environment: ["OPENSHIFT_HA_VIRTUAL_IPS": "198.51.100.1"],
            node: NodeIdentity(hostname: "n", primaryAddress: IPAddress("192.0.2.11")))
        #expect(configuration == nil)
        #expect(diagnostics.map(\.description) == [
            "OPENSHIFT_HA_NETWORK_INTERFACE: error: is not set, none of enp0s3, enp0s8, eth1, ens3 exists and no route "
                + "toward 8.8.8.8 was found; set it to the VRRP interface"])
    }
}
