// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "ipfailover",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "VRRPWire", targets: ["VRRPWire"]),
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
    ]
)

// VRRPCore: the pure protocol state machine (issue 3).
package.products.append(.library(name: "VRRPCore", targets: ["VRRPCore"]))
package.products.append(.library(name: "FailoverTestKit", targets: ["FailoverTestKit"]))
package.targets.append(contentsOf: [
    .target(name: "VRRPCore", dependencies: ["VRRPWire"]),
    .target(name: "FailoverTestKit", dependencies: ["VRRPWire", "VRRPCore"]),
    .testTarget(name: "VRRPCoreTests", dependencies: ["VRRPCore", "VRRPWire", "FailoverTestKit"]),
    .executableTarget(name: "CoreBenchmark", dependencies: ["VRRPCore", "VRRPWire", "FailoverTestKit"]),
])
