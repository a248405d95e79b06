// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "ipfailover",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "VRRPWire", targets: ["VRRPWire"]),
        .library(name: "FailoverTestKit", targets: ["FailoverTestKit"]),
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
                "FailoverTestKit",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            resources: [.copy("Fixtures")]
        ),
        // Test support: pcap writer (and, from other work, fakes and simulation).
        .target(name: "FailoverTestKit", dependencies: ["VRRPWire"]),
    ]
)
