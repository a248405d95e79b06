// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "ipfailover",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "VRRPWire", targets: ["VRRPWire"]),
        .library(name: "LinuxNetworking", targets: ["LinuxNetworking"]),
        .library(name: "FailoverLab", targets: ["FailoverLab"]),
        .executable(name: "NetlinkBenchmark", targets: ["NetlinkBenchmark"]),
    ],
    dependencies: [
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.1"),
    ],
    targets: [
        // Bytes <-> values: adverts, checksums, ARP/NA frames. Pure, stdlib only.
        .target(name: "VRRPWire"),
        .testTarget(
            name: "VRRPWireTests",
            dependencies: [
                "VRRPWire",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ]
        ),
        // Kernel headers and macro wrappers Swift cannot import (rtnetlink, AF_PACKET, CMSG_*).
        .target(name: "CLinuxShim"),
        // The only module that touches the kernel: raw VRRP sockets, rtnetlink, GARP/NA, nftables.
        .target(name: "LinuxNetworking", dependencies: ["VRRPWire", "CLinuxShim"]),
        // Network-namespace lab: namespaces, veths, a bridge, processes inside namespaces.
        .target(name: "FailoverLab", dependencies: ["LinuxNetworking", "CLinuxShim"]),
        // VIP add+remove over rtnetlink versus `ip addr` subprocesses, inside a lab namespace.
        .executableTarget(name: "NetlinkBenchmark", dependencies: ["LinuxNetworking", "FailoverLab", "VRRPWire"]),
        .testTarget(
            name: "LinuxNetworkingTests",
            dependencies: ["LinuxNetworking", "FailoverLab", "VRRPWire", "CLinuxShim"]
        ),
    ]
)
