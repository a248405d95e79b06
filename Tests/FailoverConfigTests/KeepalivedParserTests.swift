import Testing
import FailoverConfig
import VRRPWire

@Suite("keepalived.conf → Configuration")
struct KeepalivedParserTests {
    /// The lexer and syntax layer report before the builder, which reports in the
    /// order the included text was expanded: the result is sorted whatever the order
    /// the layers found them in.
    @Test("Diagnostics come by file (the main file first, includes in first-mention order), then line and column")
    func diagnosticsAreInSourceOrder() {
        let source = InMemoryConfigSource([
            "/etc/keepalived/b.conf": "bogus_in_b 1\n",
            "/etc/keepalived/a.conf": "\nbogus_in_a 1\n",
        ])
        let text = """
            include /etc/keepalived/b.conf
            include /etc/keepalived/a.conf
            bogus_in_main 1
            include /etc/keepalived/missing.conf
            bogus_again 2 "unterminated
            """
        let result = KeepalivedConfigParser(source: source).parse(text, file: "/etc/keepalived/keepalived.conf")
        let places = result.diagnostics.map { d -> String in
            guard case .source(let l) = d.location else { return "\(d.location)" }
            return "\(l.file.split(separator: "/").last!):\(l.line):\(l.column)"
        }
        #expect(places == ["keepalived.conf:3:1", "keepalived.conf:4:9", "keepalived.conf:5:1", "keepalived.conf:5:15",
                           "b.conf:1:1", "a.conf:2:1"], "\(result.diagnostics)")
    }

    @Test("Every VRRP keyword of the subset lands in the model with its typed value")
    func fullInstance() throws {
        let result = TestSupport.parse("""
            global_defs {
                router_id node_a
                script_user keepalived_script users
                enable_script_security
                vrrp_version 3
                vrrp_garp_master_delay 2
                vrrp_garp_master_repeat 3
                vrrp_garp_master_refresh 60
                vrrp_mcast_group4 224.0.0.19
                max_auto_priority
            }
            vrrp_script chk_web {
                script "/usr/local/bin/check web"
                interval 2.5
                timeout 1
                weight -20 reverse
                rise 3
                fall 2
                user nobody nogroup
                init_fail
            }
            vrrp_instance web {
                state MASTER
                interface eth0
                virtual_router_id 51
                priority 150
                advert_int 0.25
                nopreempt
                accept
                down_timer_adverts 5
                garp_master_delay 1
                garp_master_repeat 2
                garp_master_refresh 30
                mcast_src_ip 192.0.2.1
                track_script {
                    chk_web weight 10
                }
                track_interface {
                    eth1 weight -5 reverse
                }
                notify /usr/local/bin/notify.sh
                notify_master "/usr/local/bin/m.sh arg"
                virtual_ipaddress {
                    198.51.100.1/24 dev eth0 label eth0:1 scope global
                    198.51.100.2
                }
                virtual_ipaddress_excluded {
                    2001:db8::5/64
                }
            }
            vrrp_sync_group G {
                group {
                    web
                }
                notify_fault "/bin/f"
            }
            """)
        let c = result.configuration
        #expect(c.globalDefinitions.routerID == "node_a")
        #expect(c.globalDefinitions.scriptUser == "keepalived_script")
        #expect(c.globalDefinitions.scriptGroup == "users")
        #expect(c.globalDefinitions.vrrpVersion == .v3)
        #expect(c.globalDefinitions.garpMasterRefresh == .seconds(60))
        #expect(c.globalDefinitions.multicastGroup4 == IPv4Address(224, 0, 0, 19))
        #expect(c.globalDefinitions.maxAutoPriority == 99)
        #expect(c.scripts == [VRRPScript(name: "chk_web", script: "/usr/local/bin/check web", interval: .milliseconds(2500),
                                         timeout: .seconds(1), weight: -20, weightReverse: true, rise: 3, fall: 2,
                                         user: "nobody", group: "nogroup", initFail: true)])
        let i = try #require(c.instances.first)
        #expect(i.state == .master)
        #expect(i.virtualRouterID == VirtualRouterID(51))
        #expect(i.priority == Priority(150))
        #expect(i.advertisementInterval == .milliseconds(250))
        #expect(i.preemption == .immediate)  // nopreempt cleared by state MASTER
        #expect(i.accept == true)
        #expect(i.downTimerAdverts == 5)
        #expect(i.trackScripts == [TrackEntry(name: "chk_web", weight: 10)])
        #expect(i.trackInterfaces == [TrackEntry(name: "eth1", weight: -5, reverse: true)])
        #expect(i.notifyScripts.notify == "/usr/local/bin/notify.sh")
        #expect(i.notifyScripts.notifyMaster == "/usr/local/bin/m.sh arg")
        #expect(i.virtualIPAddresses == [
            VirtualIPAddress(address: IPAddress("198.51.100.1")!, prefixLength: 24, device: "eth0", label: "eth0:1", scope: "global"),
            VirtualIPAddress(address: IPAddress("198.51.100.2")!),
        ])
        #expect(i.excludedVirtualIPAddresses.map(\.description) == ["2001:db8::5/64"])
        #expect(c.syncGroups == [VRRPSyncGroup(name: "G", group: ["web"], notifyScripts: NotifyScripts(notifyFault: "/bin/f"))])
        #expect(result.diagnostics.map(\.description) == [
            "/etc/keepalived/keepalived.conf:28:5: warning: (web) nopreempt does not work with state MASTER; keepalived clears it, and so do we",
            "/etc/keepalived/keepalived.conf:51:1: warning: (G) a sync group with a single member has no effect",
        ])
        #expect(result.status == .adjusted)
    }

    @Test("Rendering a parsed configuration and parsing it again gives the same model")
    func renderRoundTrip() {
        let first = TestSupport.parse("""
            global_defs {
                enable_script_security
            }
            vrrp_script s { script "/bin/true" }
            vrrp_instance a {
                interface eth0
                virtual_router_id 1
                preempt_delay 12.5
                authentication { auth_type PASS
                    auth_pass "pa ss" }
                unicast_src_ip 192.0.2.1
                unicast_peer { 192.0.2.2
                    192.0.2.3 }
                virtual_ipaddress { 198.51.100.9/32 dev eth0 }
                track_script { s }
            }
            vrrp_instance b {
                interface eth0
                virtual_router_id 1
                version 3
                advert_int 0.05
                accept
                virtual_ipaddress { 2001:db8::1 }
            }
            """)
        #expect(first.diagnostics.isEmpty)
        let text = KeepalivedRenderer().render(first.configuration)
        let second = TestSupport.parse(text)
        #expect(second.diagnostics.isEmpty)
        #expect(second.configuration == first.configuration)
    }

    @Test("The same VRID on one interface is allowed once per address family (RFC 5798 §5.2.3)")
    func vridUniquePerInterfaceAndFamily() {
        let result = TestSupport.parse("""
            vrrp_instance a { interface eth0
              virtual_router_id 7
              virtual_ipaddress { 198.51.100.1 } }
            vrrp_instance b { interface eth0
              virtual_router_id 7
              version 3
              virtual_ipaddress { 2001:db8::1 } }
            vrrp_instance c { interface eth1
              virtual_router_id 7
              virtual_ipaddress { 198.51.100.2 } }
            vrrp_instance d { interface eth0
              virtual_router_id 7
              virtual_ipaddress { 198.51.100.3 } }
            """)
        #expect(result.configuration.instances.map(\.name) == ["a", "b", "c"])
        #expect(result.diagnostics.map(\.description) == [
            "/etc/keepalived/keepalived.conf:12:3: error: (d) virtual_router_id 7 is already used by 'a' on eth0 (IPv4); instance not started",
        ])
        #expect(result.status == .cannotRun)
    }

    @Test("Scripts without enable_script_security exit 5; with it 0")
    func scriptSecurityStatus() {
        let body = "vrrp_script s {\n script /bin/true\n}\nvrrp_instance a {\n interface eth0\n virtual_router_id 1\n track_script {\n s\n }\n virtual_ipaddress {\n 198.51.100.1\n }\n}"
        let without = TestSupport.parse(body)
        #expect(without.status == .scriptsWithoutSecurity)
        #expect(without.diagnostics.map(\.description) == [
            "/etc/keepalived/keepalived.conf:2:2: warning: scripts are configured but 'enable_script_security' is not set in global_defs",
        ])
        #expect(TestSupport.parse("global_defs {\n enable_script_security\n}\n" + body).status == .ok)
    }

    @Test("priority 255 clears preempt_delay, as keepalived does")
    func ownerClearsPreemptDelay() {
        let result = TestSupport.parse("vrrp_instance a {\n interface eth0\n virtual_router_id 1\n priority 255\n preempt_delay 30\n virtual_ipaddress {\n 198.51.100.1\n }\n}")
        #expect(result.configuration.instances[0].preemption == .immediate)
        #expect(result.diagnostics.map(\.message) == [
            "(a) preempt_delay does not work with priority 255; keepalived clears it, and so do we",
        ])
    }

    @Test("IPv6 VIPs force VRRPv3, and VRRPv3 drops authentication")
    func ipv6NeedsVersion3() {
        let result = TestSupport.parse("""
            vrrp_instance a {
             interface eth0
             virtual_router_id 1
             authentication {
              auth_type PASS
              auth_pass x
             }
             virtual_ipaddress {
              2001:db8::1
             }
            }
            """)
        #expect(result.configuration.instances[0].version == .v3)
        #expect(result.configuration.instances[0].authentication == .none)
        #expect(result.diagnostics.map(\.message) == [
            "(a) VRRPv2 cannot carry IPv6 addresses; version 3 used",
            "(a) VRRPv3 has no authentication; ignored",
        ])
    }
}

@Suite("Effective instance values")
struct EffectiveValueTests {
    @Test("Instance values fall back to global_defs; tracked weights fall back to the script's")
    func fallbacks() throws {
        let result = TestSupport.parse("""
            global_defs {
                enable_script_security
                vrrp_strict
                vrrp_garp_master_delay 3
            }
            vrrp_script a {
                script /bin/a
                weight -10 reverse
            }
            vrrp_script b {
                script /bin/b
                weight 5
            }
            vrrp_instance i {
                interface eth0
                virtual_router_id 1
                garp_master_repeat 2
                track_script {
                    a
                }
                virtual_ipaddress {
                    198.51.100.1
                }
            }
            vrrp_instance j {
                interface eth0
                virtual_router_id 2
                virtual_ipaddress {
                    198.51.100.2
                }
            }
            vrrp_sync_group g {
                group {
                    i
                    j
                }
                track_script {
                    b weight 7
                    a
                }
            }
            """)
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics)")
        let c = result.configuration
        let i = try #require(c.instances.first)
        #expect(i.effectiveGarpMasterDelay(c.globalDefinitions) == .seconds(3))
        #expect(i.effectiveGarpMasterRepeat(c.globalDefinitions) == 2)
        #expect(i.effectiveGarpMasterRefresh(c.globalDefinitions) == nil)
        #expect(i.effectiveAccept(c.globalDefinitions) == false)
        #expect(!i.isUnicast)
        #expect(i.effectiveTrackedScripts(in: c).map { "\($0.script.name) \($0.weight) \($0.reverse)" } == ["a -10 true", "b 7 false"])
        #expect(c.instances[1].effectiveTrackedScripts(in: c).map { "\($0.script.name) \($0.weight)" } == ["b 7", "a -10"])
    }
}
