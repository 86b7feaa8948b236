// swift-tools-version: 6.2
import PackageDescription
#if os(Linux)
import Glibc
#endif

// The release binary runs on hosts without a Swift toolchain, often as a short-lived process
// (docs/benchmarks.md, "Size and start-up of the release binary"). `swift build -c release`:
// - links the Swift runtime and Foundation statically (no toolchain libraries on the host, no
//   dynamic symbol lookup for them at start-up);
// - strips the symbol tables (79 MB instead of 147 MB; crash backtraces show addresses);
//   CTFIX_UNSTRIPPED=1 keeps them (Benchmarks/startup-order/generate.sh needs the names);
// - links with lld, exporting no dynamic symbols (the toolchain's -export-dynamic put 2.7 MB of
//   symbol tables in the binary, scanned by every dladdr), and places the functions a dry-run
//   executes first, in the order it meets them (Benchmarks/startup-order/order.txt): the kernel
//   maps a 64 KiB window of the file around every page fault, so scattered code costs memory.
// - packs its 117 000 relative relocations (`-z pack-relative-relocs`, DT_RELR: a 2.8 MB table the
//   loader read at every start becomes 23 KB; peak RSS of a dry-run 25.4 → 22.6 MiB) while the
//   binary stays position-independent (ASLR). Only where the building glibc has DT_RELR (2.36,
//   Debian 12): a binary built on 2.35 with it would not start on its own builder.
let packedRelocations: [String] = {
    #if os(Linux)
    var text = [CChar](repeating: 0, count: 64) // "glibc 2.36"
    guard confstr(Int32(_CS_GNU_LIBC_VERSION), &text, text.count) > 0 else { return [] }
    let version = String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    let parts = (version.split(separator: " ").last ?? "").split(separator: ".").compactMap { Int($0) }
    if parts.count >= 2, (parts[0], parts[1]) >= (2, 36) { return ["-Xlinker", "-z", "-Xlinker", "pack-relative-relocs"] }
    #endif
    return []
}()

let releaseLinking: [LinkerSetting] = [
    .unsafeFlags(
        // Modules are compiled against the shared runtime, whose Foundation autolinks ICU from
        // inside the shared libraries; linked statically, the archives behind them must be named
        // (what `swift build --static-swift-stdlib` adds).
        ["-static-stdlib", "-l_FoundationICU", "-l_FoundationCollections", "-l_FoundationCShims", "-lswiftSynchronization",
         "-lCoreFoundation", "-lswiftDispatch",
         "-use-ld=lld",
         "-Xlinker", "--no-export-dynamic",
         "-Xlinker", "--symbol-ordering-file=\(Context.packageDirectory)/Benchmarks/startup-order/order.txt",
         "-Xlinker", "--no-warn-symbol-ordering"]
            + packedRelocations
            + (Context.environment["CTFIX_UNSTRIPPED"] == "1" ? [] : ["-Xlinker", "--strip-all"]),
        .when(platforms: [.linux], configuration: .release)),
]

let package = Package(
    name: "ctfix",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "ctfix", targets: ["ctfix"]),
        .executable(name: "ctfix-serve", targets: ["ctfix-serve"]),
        .library(name: "CtfixCore", targets: ["CtfixCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/jpsim/Yams", exact: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", exact: "4.5.2"),
        .package(url: "https://github.com/swiftlang/swift-subprocess", exact: "1.0.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", exact: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", exact: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", exact: "2.4.1"),
    ],
    targets: [
        // C's printf for one double without Swift's CVarArg (CtfixCShims.h says why): the only C in ctfix.
        .target(name: "CtfixCShims"),
        // The core: playbooks, detection, the system boundary. No CLI parser, no HTTP server.
        .target(
            name: "CtfixCore",
            dependencies: [
                "CtfixCShims",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Subprocess", package: "swift-subprocess"),
            ]
        ),
        // `ctfix serve`: the Alertmanager webhook receiver's HTTP side (Hummingbird stays out of the core).
        .target(
            name: "CtfixServer",
            dependencies: [
                "CtfixCore",
                .product(name: "Hummingbird", package: "hummingbird"),
                // MaximumAvailableConnections (the connection cap).
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        // The thin command line over the core (every command's parsing), without the server.
        .target(
            name: "CtfixCLI",
            dependencies: [
                "CtfixCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // `ctfix`: the command line. `ctfix serve` execs `ctfix-serve` (CtfixCLI/ServeLauncher.swift),
        // so the HTTP server's code and metadata do not slow every other command's start-up.
        .executableTarget(
            name: "ctfix",
            dependencies: ["CtfixCLI"],
            linkerSettings: releaseLinking
        ),
        // `ctfix-serve`: the same command line with the Alertmanager webhook receiver linked in.
        .executableTarget(
            name: "ctfix-serve",
            dependencies: ["CtfixCLI", "CtfixServer"],
            linkerSettings: releaseLinking
        ),
        // Benchmarks are programs, never timed assertions in tests.
        .executableTarget(
            name: "ctfix-bench",
            dependencies: ["CtfixCore"],
            path: "Benchmarks/ctfix-bench"
        ),
        // Fuzzing (docs/fuzzing.md): one checker per fuzz target, asserting invariants on any bytes.
        .target(
            name: "CtfixFuzzEntries",
            dependencies: ["CtfixCore"],
            path: "Fuzz/Entries"
        ),
        // The libFuzzer driver (`scripts/fuzz.sh`); in an ordinary build it replays corpus files.
        .executableTarget(
            name: "ctfix-fuzz",
            dependencies: ["CtfixFuzzEntries"],
            path: "Fuzz/ctfix-fuzz"
        ),
        .testTarget(
            name: "CtfixCoreTests",
            dependencies: ["CtfixCore"],
            resources: [.copy("Resources")]
        ),
        .testTarget(
            name: "CtfixCLITests",
            dependencies: [
                "CtfixCore",
                // DirectCommandLineTests compares DirectCommandLine with ArgumentParser's parse.
                "CtfixCLI",
                // The deployment tests parse examples/deploy/*.yaml.
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .testTarget(
            name: "CtfixServerTests",
            dependencies: ["CtfixServer", "CtfixCore"]
        ),
        // Replays every file of Fuzz/Corpus through ctfix-fuzz (no fuzzing).
        .testTarget(
            name: "CtfixFuzzTests",
            dependencies: ["CtfixFuzzEntries", "CtfixCore"]
        ),
    ]
)
