import Foundation

/// Where the package and its built products are, derived from this file's own path so the
/// tests find the binary whatever directory `swift test` was started from.
enum PackagePaths {
    /// The package root: three levels above `Tests/CtfixCLITests/Support/PackagePaths.swift`.
    static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent() // Support
        .deletingLastPathComponent() // CtfixCLITests
        .deletingLastPathComponent() // Tests
        .deletingLastPathComponent() // package root

    /// The debug build of the `ctfix` executable (`swift build` makes it before `swift test --skip-build`).
    static var ctfixBinary: URL { root.appendingPathComponent(".build/debug/ctfix") }

    /// `ctfix-serve`, which `ctfix serve` execs (built beside `ctfix`).
    static var ctfixServeBinary: URL { root.appendingPathComponent(".build/debug/ctfix-serve") }
}
