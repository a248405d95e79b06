// swift-tools-version: 6.1
import PackageDescription

// Sans-I/O core, I/O at the edges (docs/architecture.md). Arrows point down only:
// VRRPWire <- VRRPCore <- FailoverConfig <- FailoverRuntime <- LinuxNetworking/StatusServer <- ipfailover.

/// This manifest's directory (absolute: SwiftPM compiles the manifest where it lies).
let packageDirectory = String(#filePath.dropLast("Package.swift".count))

// How the shipped daemon is linked (release, Linux), for its peak RSS (docs/daemon.md
// "Memory": no larger than keepalived's). The kernel maps file pages
// into a process in 64 KiB fault-around blocks, so what counts is how many blocks of
// the binary the daemon touches, not the binary's size:
// - lld with a symbol ordering file (scripts/link-order writes it from a profile of
//   `ipfailover run`) packs the ~1.5 MiB of code the daemon runs together instead of
//   across all 14 MiB of .text; the build passes -function-sections (rootfs-files.txt)
//   so that every function can be placed. Missing names are skipped, not errors.
// - Sources/ipfailover/private-text.ld puts the functions LLVM emits without a
//   symbol (function merging's shared bodies, closure-context destructors), which the
//   ordering file cannot name, in one section beside the ordered code: the daemon runs
//   a few dozen of them at start-up, and left beside their objects' other code they
//   would pull ~35 fault-around blocks (about 2 MiB of peak RSS) into the daemon.
// - -z pack-relative-relocs (DT_RELR, glibc >= 2.36: bookworm): the ~58,000 relative
//   relocations of the position-independent executable take 8 KiB instead of the
//   1.4 MiB of .rela.dyn the loader read at every start. (-no-pie saves as much,
//   but gives up address randomization of the binary.)
// - --no-export-dynamic (the static stdlib's link file asks for -export-dynamic, which
//   exports every symbol of our objects: 1.7 MiB of .dynsym/.dynstr/.gnu.hash that
//   the loader hashes into for each symbol it binds at start).
// - libstdc++ linked statically: Sources/ipfailover/static-libstdc++ holds a linker
//   script named libstdc++.so that the stdlib's `-lstdc++` finds first and that names
//   GCC's libstdc++.a. The Swift runtime uses ~60 KiB of it; the shared library cost
//   ~1.1 MiB of peak RSS (its symbol tables, relocations and fault-around blocks).
// - libgcc linked statically (-static-libgcc: libgcc.a and libgcc_eh.a for the
//   unwinder the Swift runtime calls): the loader maps no libgcc_s.so.1, about
//   0.25 MiB of peak RSS.
let daemonLinkerSettings: [LinkerSetting] = [
    .unsafeFlags([
        "-use-ld=lld",
        "-Xlinker", "-z", "-Xlinker", "pack-relative-relocs",
        "-Xlinker", "--no-export-dynamic",
        "-Xlinker", "--symbol-ordering-file=\(packageDirectory)Sources/ipfailover/link-order.txt",
        "-Xlinker", "--no-warn-symbol-ordering",
        "-Xlinker", "-T", "-Xlinker", "\(packageDirectory)Sources/ipfailover/private-text.ld",
        "-L\(packageDirectory)Sources/ipfailover/static-libstdc++",
        "-Xclang-linker", "-static-libgcc",
    ], .when(platforms: [.linux], configuration: .release)),
]
let package = Package(
    name: "ipfailover",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "ipfailover", targets: ["ipfailover"]),
        .library(name: "VRRPWire", targets: ["VRRPWire"]),
        .library(name: "VRRPCore", targets: ["VRRPCore"]),
        .library(name: "FailoverConfig", targets: ["FailoverConfig"]),
        .library(name: "FailoverRuntime", targets: ["FailoverRuntime"]),
        .library(name: "LinuxNetworking", targets: ["LinuxNetworking"]),
        .library(name: "FailoverTestKit", targets: ["FailoverTestKit"]),
        .library(name: "FailoverLab", targets: ["FailoverLab"]),
        .library(name: "FailoverTimeline", targets: ["FailoverTimeline"]),
        .executable(name: "FailoverBenchmark", targets: ["FailoverBenchmark"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.1"),
    ],
    targets: [
        // Bytes <-> values: adverts, checksums, ARP/NA frames. Pure, stdlib only.
        .target(name: "VRRPWire"),
        // The RFC 5798 state machine plus keepalived's FAULT, tracking, sync groups. Pure.
        .target(name: "VRRPCore", dependencies: ["VRRPWire"]),
        // keepalived.conf and OPENSHIFT_HA_* front ends -> one validated model -> rendered
        // keepalived.conf. Parsing is pure; only ConfigLoader/SystemNodeIdentity touch files.
        .target(name: "FailoverConfig", dependencies: ["VRRPWire"]),
        // Engine, check-script scheduler, notify dispatcher, metrics; the world only through ports.
        .target(
            name: "FailoverRuntime",
            dependencies: [
                "VRRPWire", "VRRPCore", "FailoverConfig", "FailoverTimeline",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        // fork/exec details Swift cannot express (fork child, raw credential syscalls).
        .target(name: "CProcessSpawn"),
        // Kernel headers and macro wrappers Swift cannot import (rtnetlink, AF_PACKET, CMSG_*).
        .target(name: "CLinuxShim"),
        // The only module that touches the kernel: raw VRRP sockets, rtnetlink, GARP/NA,
        // nftables, script processes; implements FailoverRuntime's ports.
        .target(
            name: "LinuxNetworking",
            dependencies: [
                "VRRPWire", "VRRPCore", "FailoverConfig", "FailoverRuntime", "CProcessSpawn", "CLinuxShim",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // /status documents → an SVG timeline of states, checks, notifies and VIP moves. Pure.
        .target(name: "FailoverTimeline"),
        // Network-namespace lab: namespaces, veths, a bridge, processes inside namespaces.
        // Shipped in the daemon for `ipfailover demo` and `ipfailover lab`: it links no test kit.
        .target(name: "FailoverLab", dependencies: [
            "LinuxNetworking", "CLinuxShim", "CDeploymentScripts", "SeededRandom", "FailoverTimeline",
        ]),
        // deploy/kubernetes/scripts compiled into the binary (#embed), for `ipfailover demo`
        // away from a checkout: the files stay the one copy.
        .target(name: "CDeploymentScripts"),
        // The seeded PRNG of the simulation and of the lab's fault soak. Pure, stdlib only.
        .target(name: "SeededRandom"),
        // HTTP /healthz, /status, /metrics on NIO's HTTP/1 handlers.
        .target(
            name: "StatusServer",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Manual clock, simulated segment, recording fakes for every port, pcap writer.
        .target(
            name: "FailoverTestKit",
            dependencies: ["VRRPWire", "VRRPCore", "FailoverRuntime", "SeededRandom", .product(name: "Logging", package: "swift-log")]
        ),
        // The daemon's command line: argument parsing and wiring only.
        .executableTarget(
            name: "ipfailover",
            dependencies: [
                "FailoverConfig", "FailoverRuntime", "LinuxNetworking", "StatusServer", "FailoverLab", "FailoverTimeline",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            exclude: ["link-order.txt", "private-text.ld", "static-libstdc++"],
            linkerSettings: daemonLinkerSettings
        ),

        // Benchmarks (executables, not tests).
        .executableTarget(name: "CoreBenchmark", dependencies: [
            "VRRPCore", "VRRPWire", "FailoverRuntime", "FailoverTestKit", .product(name: "Logging", package: "swift-log"),
        ]),
        .executableTarget(name: "ConfigBenchmark", dependencies: ["FailoverConfig"]),
        .executableTarget(name: "ScriptBenchmark", dependencies: ["LinuxNetworking", "FailoverRuntime"]),
        .executableTarget(name: "NetlinkBenchmark", dependencies: ["LinuxNetworking", "FailoverRuntime", "FailoverLab", "VRRPWire"]),
        // ipfailover against keepalived in the failover lab (scripts/benchmark).
        .executableTarget(name: "FailoverBenchmark", dependencies: [
            "FailoverLab", "VRRPWire", .product(name: "UnixSignals", package: "swift-service-lifecycle"),
        ]),

        .testTarget(
            name: "VRRPWireTests",
            dependencies: ["VRRPWire", "FailoverTestKit", .product(name: "PropertyBased", package: "swift-property-based")],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(name: "VRRPCoreTests", dependencies: ["VRRPCore", "VRRPWire", "FailoverTestKit", "SeededRandom"]),
        .testTarget(
            name: "FailoverConfigTests",
            dependencies: ["FailoverConfig", "SeededRandom", "VRRPWire", .product(name: "PropertyBased", package: "swift-property-based")],
            exclude: ["Fixtures"]
        ),
        .testTarget(name: "FailoverRuntimeTests", dependencies: ["FailoverRuntime", "FailoverTestKit", "VRRPCore", "VRRPWire"]),
        .testTarget(
            name: "LinuxNetworkingTests",
            dependencies: ["LinuxNetworking", "FailoverRuntime", "FailoverLab", "FailoverTestKit", "VRRPWire", "CLinuxShim"]
        ),
        .testTarget(name: "FailoverTimelineTests", dependencies: ["FailoverTimeline"]),
        .testTarget(name: "StatusServerTests", dependencies: [
            "StatusServer", .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
        ]),
        // Real `ipfailover run` processes in lab namespaces.
        .testTarget(name: "DaemonTests", dependencies: ["FailoverLab", "LinuxNetworking", "VRRPWire"]),
        // The failover lab end to end: real daemons in namespaces, a probing client, `ipfailover demo`.
        .testTarget(name: "EndToEndTests", dependencies: ["FailoverLab", "LinuxNetworking", "VRRPWire"]),
    ]
)

// Coverage-guided fuzz targets (scripts/fuzz). Declared only when the script asks
// for them: they are built with -sanitize=fuzzer,address into .build-fuzz, and the
// shipped build never sees them or those flags.
if Context.environment["IPFAILOVER_FUZZ"] == "1" {
    package.targets.append(.executableTarget(
        name: "ipfailover-fuzz",
        dependencies: ["FailoverConfig", "LinuxNetworking", "StatusServer", "VRRPWire",
                       .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio")]
    ))
    package.products.append(.executable(name: "ipfailover-fuzz", targets: ["ipfailover-fuzz"]))
}

