import CtfixCore
import Foundation
import Testing

/// The Debian package built once per test process by `scripts/build-deb.sh`, into the release
/// build directory the install test uses (`.build-release`), so CI builds release once.
enum DebianPackage {
    static let buildScript = PackagePaths.root.appendingPathComponent("scripts/build-deb.sh").path
    static let imageScript = PackagePaths.root.appendingPathComponent("scripts/build-image.sh").path

    static var buildable: Bool {
        DeployTools.available("swift") && DeployTools.available("dpkg-deb") && DeployTools.available("dpkg-shlibdeps")
    }

    struct BuildFailed: Error, CustomStringConvertible { var description: String }

    private static let built = Task<String, any Error> {
        // One place, emptied first: a 20 MB package is not left behind per test run.
        let output = try TrustedScratch.base.get() + "/ctfix-deb"
        try? FileManager.default.removeItem(atPath: output)
        let result = try await DeployTools.run(["/bin/bash", buildScript, "--output", output], timeout: .seconds(1800))
        guard result.exitStatus == 0, let path = result.standardOutput.split(separator: "\n").last.map(String.init),
              path.hasSuffix(".deb"), FileManager.default.fileExists(atPath: path) else {
            throw BuildFailed(description: "build-deb.sh exit \(result.exitStatus): \(result.standardOutput)\(result.standardError)")
        }
        return path
    }

    /// The path of the built `.deb`.
    static func path() async throws -> String { try await built.value }

    /// `dpkg-deb -c`: every path in the package (leading `./` dropped, directories without the
    /// trailing `/`), with its mode string and owner.
    static func contents(_ deb: String) async throws -> [(path: String, mode: String, owner: String)] {
        let listing = try await DeployTools.run(["dpkg-deb", "-c", deb])
        #expect(listing.exitStatus == 0)
        return listing.standardOutput.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 6 else { return nil }
            // "./usr/bin/ctfix", "./etc/ctfix/" → "usr/bin/ctfix", "etc/ctfix"; "./" is dropped.
            var path = String(fields[5].dropFirst(2))
            if path.hasSuffix("/") { path.removeLast() }
            return path.isEmpty ? nil : (path, String(fields[0]), String(fields[1]))
        }
    }

    /// Runs a shell snippet (bash unless `shell` says otherwise) with PATH starting at
    /// /usr/bin, so `ctfix` is the installed one, found the way an operator's shell finds it.
    static func shell(_ script: String, shell: String = "/bin/bash", in directory: String = "/") async throws -> CommandResult {
        var environment = ProcessInfo.processInfo.environment
        environment["LC_ALL"] = "C.UTF-8"
        environment["PATH"] = "/usr/sbin:/usr/bin:/sbin:/bin"
        environment["CTFIX_PLAYBOOKS"] = nil
        return try await RealKernel.runner.run([shell, "-c", "cd '\(directory)' && \(script)"], environment: environment,
                                               timeout: .seconds(120), outputLimit: 4 << 20)
    }
}
