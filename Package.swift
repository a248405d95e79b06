// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "ipfailover",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "VRRPWire", targets: ["VRRPWire"]),
        .library(name: "FailoverRuntime", targets: ["FailoverRuntime"]),
        .library(name: "LinuxNetworking", targets: ["LinuxNetworking"]),
        .executable(name: "ScriptBenchmark", targets: ["ScriptBenchmark"]),
    ],
    dependencies: [
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.1"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
    ],
    targets: [
        // Bytes <-> values: adverts, checksums, ARP/NA frames. Pure, stdlib only.
        .target(name: "VRRPWire"),
        .testTarget(
            name: "VRRPWireTests",
            dependencies: [
                "VRRPWire",
                "FailoverTestKit",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            resources: [.copy("Fixtures")]
        ),
        // HTTP /healthz, /status, /metrics on NIO's HTTP/1 handlers.
        .target(
            name: "StatusServer",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .testTarget(name: "StatusServerTests", dependencies: ["StatusServer"]),
        // Drivers, check-script scheduler, notify dispatcher; the world only through ports.
        .target(
            name: "FailoverRuntime",
            dependencies: [
                "VRRPWire", "VRRPCore",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        .testTarget(name: "FailoverRuntimeTests", dependencies: ["FailoverRuntime", "FailoverTestKit", "VRRPCore", "VRRPWire"]),
        // fork/exec details Swift cannot express (vfork child, raw credential syscalls).
        .target(name: "CProcessSpawn"),
        // The only module that touches the kernel; implements FailoverRuntime's ports.
        .target(name: "LinuxNetworking", dependencies: ["FailoverRuntime", "CProcessSpawn"]),
        .testTarget(name: "LinuxNetworkingTests", dependencies: ["LinuxNetworking", "FailoverRuntime"]),
        // Spawn overhead and CPU cost of check scripts (a benchmark, not a test).
        .executableTarget(name: "ScriptBenchmark", dependencies: ["LinuxNetworking", "FailoverRuntime"]),
    ]
)

// VRRPCore: the pure protocol state machine (issue 3).
package.products.append(.library(name: "VRRPCore", targets: ["VRRPCore"]))
package.products.append(.library(name: "FailoverTestKit", targets: ["FailoverTestKit"]))
package.targets.append(contentsOf: [
    .target(name: "VRRPCore", dependencies: ["VRRPWire"]),
    .target(name: "FailoverTestKit", dependencies: ["VRRPWire", "VRRPCore", "FailoverRuntime"]),
    .testTarget(name: "VRRPCoreTests", dependencies: ["VRRPCore", "VRRPWire", "FailoverTestKit"]),
    .executableTarget(name: "CoreBenchmark", dependencies: ["VRRPCore", "VRRPWire"]),
])
