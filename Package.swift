// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "ipfailover",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "VRRPWire", targets: ["VRRPWire"]),
        .library(name: "FailoverConfig", targets: ["FailoverConfig"]),
        .executable(name: "ipfailover", targets: ["ipfailover"]),
    ],
    dependencies: [
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.1"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
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
        // keepalived.conf and OPENSHIFT_HA_* front ends -> one validated model -> rendered
        // keepalived.conf. Parsing is pure; only ConfigLoader/SystemNodeIdentity touch files.
        .target(name: "FailoverConfig", dependencies: ["VRRPWire"]),
        .testTarget(
            name: "FailoverConfigTests",
            dependencies: ["FailoverConfig", "VRRPWire"],
            exclude: ["Fixtures"]
        ),
        // The daemon's command line: argument parsing and wiring only.
        .executableTarget(
            name: "ipfailover",
            dependencies: [
                "FailoverConfig",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Parse-speed benchmark (not a test): 255 instances, 1,000 VIPs.
        .executableTarget(name: "ConfigBenchmark", dependencies: ["FailoverConfig"]),
    ]
)
