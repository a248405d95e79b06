import FailoverConfig
import Glibc
@_spi(Fuzzing) import LinuxNetworking
import VRRPWire

/// libFuzzer's driver, called with our own `main` so that one executable serves
/// every target (`ipfailover-fuzz TARGET [libFuzzer options] [corpus…]`).
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32
) -> Int32

/// One fuzz target: bytes in, the daemon's own code run on them. A crash, a hang or
/// runaway memory is what libFuzzer reports; the return value is ignored.
struct FuzzTarget: Sendable {
    var name: String
    var summary: String
    var run: @Sendable ([UInt8]) -> Void
}

nonisolated(unsafe) var selected: FuzzTarget?

@main
enum FuzzMain {
    static func main() {
        var arguments = CommandLine.arguments
        guard arguments.count >= 2, let target = FuzzTargets.all.first(where: { $0.name == arguments[1] }) else {
            print("usage: ipfailover-fuzz TARGET [libFuzzer options] [corpus directories]")
            for target in FuzzTargets.all { print("  \(target.name): \(target.summary)") }
            exit(2)
        }
        selected = target
        arguments.remove(at: 1)
        var argc = Int32(arguments.count)
        var cArguments: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        let status = cArguments.withUnsafeMutableBufferPointer { buffer -> Int32 in
            var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = buffer.baseAddress
            return LLVMFuzzerRunDriver(&argc, &argv) { data, size in fuzzOneInput(data, size) }
        }
        exit(status)
    }
}

/// libFuzzer's own entry point, which its archive refers to; the driver above is
/// what runs, and both go to the selected target.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size))
    selected?.run(bytes)
    return 0
}
