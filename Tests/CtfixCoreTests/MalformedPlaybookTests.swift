import Foundation
import Testing
@testable import CtfixCore

/// One file of `Resources/malformed/`, with what its header says must be reported:
/// `# expect: LINE:COL: message fragment`, one line per error: all errors of a file are
/// reported in one pass, and exactly those.
struct MalformedPlaybook: Sendable, CustomTestStringConvertible {
    struct Expectation: Sendable, Equatable {
        var line: Int
        var column: Int
        var fragment: String
    }

    var path: String
    var expectations: [Expectation]
    var testDescription: String { URL(fileURLWithPath: path).lastPathComponent }

    static let directory = Bundle.module.bundleURL.appendingPathComponent("Resources/malformed")

    static let all: [MalformedPlaybook] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasSuffix(".yaml") }.sorted().map { load(directory.appendingPathComponent($0).path) }
    }()

    static func load(_ path: String) -> MalformedPlaybook {
        let data = FileManager.default.contents(atPath: path) ?? Data()
        let text = String(decoding: data, as: UTF8.self)
        var expectations: [Expectation] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("# expect: ") {
                let parts = line.dropFirst("# expect: ".count).split(separator: ":", maxSplits: 2)
                guard parts.count == 3, let l = Int(parts[0]), let c = Int(parts[1]) else { continue }
                expectations.append(Expectation(line: l, column: c, fragment: parts[2].trimmingCharacters(in: .whitespaces)))
            }
        }
        return MalformedPlaybook(path: path, expectations: expectations)
    }
}

@Suite struct MalformedPlaybookTests {
    @Test func thereAreEnoughMalformedPlaybooksAndEachSaysWhatItExpects() {
        #expect(MalformedPlaybook.all.count >= 40)
        for file in MalformedPlaybook.all {
            #expect(!file.expectations.isEmpty, "\(file.testDescription) has no '# expect:' line")
        }
        #expect(MalformedPlaybook.all.contains { $0.expectations.count >= 4 }, "some file must check that all errors are reported at once")
    }

    @Test(arguments: MalformedPlaybook.all)
    func reportsExactlyTheExpectedErrors(_ file: MalformedPlaybook) {
        let diagnostics: [Diagnostic]
        do {
            let playbook = try PlaybookLoader.load(path: file.path)
            Issue.record("\(file.testDescription) loaded as playbook '\(playbook.name)'; expected errors")
            return
        } catch {
            diagnostics = error.errors
        }
        var unmatched = diagnostics
        for expected in file.expectations {
            let index = unmatched.firstIndex {
                $0.line == expected.line && $0.column == expected.column && $0.message.contains(expected.fragment)
            }
            if let index {
                unmatched.remove(at: index)
            } else {
                Issue.record("\(file.testDescription): missing \(expected.line):\(expected.column): \(expected.fragment)\n  got: \(diagnostics.map { "\($0.line):\($0.column): \($0.message)" })")
            }
        }
        #expect(unmatched.isEmpty, "\(file.testDescription): unexpected \(unmatched.map { "\($0.line):\($0.column): \($0.message)" })")
        for diagnostic in diagnostics {
            #expect(diagnostic.file == file.path)
            #expect(diagnostic.description.hasPrefix("\(file.path):\(diagnostic.line):\(diagnostic.column): error: "))
        }
    }

    @Test func aHugeFileIsRefusedBeforeParsing() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ctfix-huge-\(UUID().uuidString).yaml").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let line = "# " + String(repeating: "x", count: 1021) + "\n"
        let text = "version: 1\n" + String(repeating: line, count: 1100)
        #expect(text.utf8.count > YAMLDocumentParser.maximumBytes)
        try text.write(toFile: path, atomically: false, encoding: .utf8)
        #expect {
            _ = try PlaybookLoader.load(path: path)
        } throws: { error in
            let diagnostics = (error as? DiagnosticError)?.errors ?? []
            return diagnostics.count == 1 && diagnostics[0].line == 1 && diagnostics[0].column == 1
                && diagnostics[0].message.contains("larger than 1048576 bytes")
        }
    }

    @Test func aMissingFileIsOneErrorNamingIt() {
        let path = "/nonexistent/ctfix/playbook.yaml"
        #expect {
            _ = try PlaybookLoader.load(path: path)
        } throws: { error in
            (error as? DiagnosticError)?.description == "\(path):1:1: error: playbook no such file"
        }
    }
}

/// The counterpart: complete playbooks in `Resources/valid/` load without a diagnostic, and
/// together they use every action kind.
@Suite struct ValidPlaybookResourceTests {
    static let directory = Bundle.module.bundleURL.appendingPathComponent("Resources/valid")
    static let files: [String] = ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [])
        .filter { $0.hasSuffix(".yaml") }.sorted()

    @Test(arguments: files)
    func loads(_ name: String) throws {
        let playbook = try PlaybookLoader.load(path: Self.directory.appendingPathComponent(name).path)
        #expect(playbook.name + ".yaml" == name)
        #expect(playbook.sha256.count == 64)
        #expect(!playbook.actions.isEmpty)
    }

    @Test func togetherTheyUseEveryActionKind() throws {
        var used: Set<String> = []
        for name in Self.files {
            let playbook = try PlaybookLoader.load(path: Self.directory.appendingPathComponent(name).path)
            used.formUnion(playbook.actions.map { type(of: $0.kind).keyword })
        }
        #expect(used == Set(PlaybookAction.kinds.map { $0.keyword }))
    }
}
