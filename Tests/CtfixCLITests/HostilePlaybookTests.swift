import CtfixCore
import Foundation
import Testing

/// Issue 8, "bounded, total parsing": hundreds of generated hostile playbooks and `--set`
/// values (`HostilePlaybooks`) through the real binary. Each must end by exit, never by a
/// signal, within the runner's kill-timeout; with 65/66 (3 for `check`) and `file:line:col`,
/// or be accepted where a correct ctfix may accept it. A per-class table of what went wrong is
/// written to `.build/hostile-playbooks.txt`.
@Suite(.enabled(if: FileManager.default.isExecutableFile(atPath: PackagePaths.ctfixBinary.path), "needs the built ctfix"))
struct HostilePlaybookTests {
    @Test func generatedHostilePlaybooksNeverCrashHangOrPassSilently() async throws {
        let cases = HostilePlaybooks.all()
        let runner = try HostileRunner(cases)
        defer { runner.removeFiles() }
        let failures = try await runner.run()
        let report = Self.table(cases, failures)
        try? report.write(toFile: PackagePaths.root.appendingPathComponent(".build/hostile-playbooks.txt").path,
                          atomically: true, encoding: .utf8)
        let details = failures.prefix(40).map(\.description).joined(separator: "\n")
        #expect(failures.isEmpty, "\(failures.count) failures\n\(report)\n\(details)")
    }

    @Test func theGeneratorCoversEveryClassWithHundredsOfCases() {
        let cases = HostilePlaybooks.all()
        #expect(cases.count >= 400)
        let classes = Set(cases.map(\.hostileClass))
        #expect(classes == ["yaml-depth", "predicate-depth", "expression-chain", "huge-number", "huge-duration", "nan-inf",
                            "huge-string", "alias-bomb", "bad-bytes", "wrong-type", "many-elements", "unknown-key", "set"])
        #expect(Set(cases.map(\.description)).count == cases.count, "case names are unique")
    }

    @Test func theGeneratorIsDeterministic() {
        let first = HostilePlaybooks.all().map(\.bytes), second = HostilePlaybooks.all().map(\.bytes)
        #expect(first == second)
        #expect(HostilePlaybooks.all(seed: 1).map(\.bytes) != first, "the seed matters")
    }

    /// The base every case mutates is valid, so a refusal is the mutation's doing.
    @Test func theBaseIsValid() throws {
        let path = try TrustedScratch.directory("ctfix-hostile-base") + "/base.yaml"
        try TrustedScratch.write(HostileBase.text, to: path)
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        #expect(throws: Never.self) { try PlaybookLoader.load(path: path) }
    }

    static func table(_ cases: [HostileCase], _ failures: [HostileRunner.Failure]) -> String {
        var lines = ["class              cases  crashed  failed"]
        let classes = Dictionary(grouping: cases, by: \.hostileClass)
        for name in classes.keys.sorted() {
            let crashed = Set(failures.filter { $0.hostileClass == name && $0.crashed }.map(\.testCase)).count
            let failed = Set(failures.filter { $0.hostileClass == name }.map(\.testCase)).count
            lines.append(name.padding(toLength: 18, withPad: " ", startingAt: 0) + " " + String(format: "%5d  %7d  %6d", classes[name]!.count, crashed, failed))
        }
        lines.append("total              " + String(format: "%5d  %7d  %6d", cases.count, Set(failures.filter(\.crashed).map(\.testCase)).count,
                                                   Set(failures.map(\.testCase)).count))
        return lines.joined(separator: "\n")
    }
}
