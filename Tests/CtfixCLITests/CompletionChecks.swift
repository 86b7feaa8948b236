import CtfixCore
import Foundation
import Testing

/// The installed shell completions asked for real, as a shell asks them when the operator
/// presses Tab: bash by calling the completion function with COMP_WORDS set, fish with
/// `complete -C`. Each must offer subcommands, options, playbook names (asked of the installed
/// binary), playbook files and directories, and files or directories for path options.
enum CompletionChecks {
    /// A directory with a playbook file, a directory, a file that is not a playbook and an audit log.
    static func fixture() throws -> String {
        let directory = try TrustedScratch.directory("ctfix-complete")
        try FileManager.default.createDirectory(atPath: directory + "/playbooks", withIntermediateDirectories: false)
        try FileManager.default.createDirectory(atPath: directory + "/examples", withIntermediateDirectories: false)
        try TrustedScratch.write("x", to: directory + "/playbooks/local.yaml")
        try TrustedScratch.write("x", to: directory + "/extra.yml")
        try TrustedScratch.write("x", to: directory + "/notes.txt")
        try TrustedScratch.write("x", to: directory + "/audit.jsonl")
        return directory
    }

    static func all() async throws {
        let directory = try fixture()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await bash(directory)
        if DeployTools.available("fish") { try await fish(directory) }
        if DeployTools.available("zsh") { try await zsh() }
    }

    /// Candidates bash offers for `words` (the last one being completed), one per line.
    static func bashComplete(_ words: [String], in directory: String) async throws -> [String] {
        let quoted = words.map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ")
        let script = """
        source /usr/share/bash-completion/completions/ctfix
        COMP_WORDS=(\(quoted)); COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
        COMP_LINE="${COMP_WORDS[*]}"; COMP_POINT=${#COMP_LINE}; COMPREPLY=()
        _ctfix ctfix "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
        printf '%s\\n' "${COMPREPLY[@]}"
        """
        let result = try await DebianPackage.shell(script, in: directory)
        #expect(result.exitStatus == 0, "\(words): \(result.standardError)")
        return result.standardOutput.split(separator: "\n").map(String.init)
    }

    static func bash(_ directory: String) async throws {
        let subcommands = try await bashComplete(["ctfix", "r"], in: directory)
        #expect(subcommands.contains("run") && subcommands.contains("rollback"), "\(subcommands)")
        let options = try await bashComplete(["ctfix", "run", "--au"], in: directory)
        #expect(options == ["--audit-log"], "\(options)")
        let names = try await bashComplete(["ctfix", "run", "tab"], in: directory)
        #expect(names == ["table-full"], "\(names)")
        let checkNames = try await bashComplete(["ctfix", "check", "alloc"], in: directory)
        #expect(checkNames.contains("alloc-failure"), "\(checkNames)")
        // A path: playbook files and directories, never other files.
        let here = try await bashComplete(["ctfix", "run", "./"], in: directory)
        #expect(Set(here) == ["./examples/", "./extra.yml", "./playbooks/"], "\(here)")
        let inside = try await bashComplete(["ctfix", "validate", "playbooks/"], in: directory)
        #expect(inside == ["playbooks/local.yaml"], "\(inside)")
        let root = try await bashComplete(["ctfix", "run", "table-full", "--root", "\(directory)/ex"], in: "/")
        #expect(root == ["\(directory)/examples"], "\(root)")
        let audit = try await bashComplete(["ctfix", "run", "table-full", "--audit-log", "\(directory)/au"], in: "/")
        #expect(audit == ["\(directory)/audit.jsonl"], "\(audit)")
    }

    /// Candidates fish offers for `line` (without their descriptions).
    static func fishComplete(_ line: String, in directory: String) async throws -> [String] {
        let result = try await DebianPackage.shell("fish -c 'complete -C \"\(line)\"'", in: directory)
        #expect(result.exitStatus == 0, "\(line): \(result.standardError)")
        return result.standardOutput.split(separator: "\n").map { String($0.split(separator: "\t").first ?? "") }
    }

    static func fish(_ directory: String) async throws {
        let subcommands = try await fishComplete("ctfix r", in: directory)
        #expect(subcommands.contains("run") && subcommands.contains("rollback"), "\(subcommands)")
        let options = try await fishComplete("ctfix run --au", in: directory)
        #expect(options.contains("--audit-log"), "\(options)")
        let names = try await fishComplete("ctfix run tab", in: directory)
        #expect(names == ["table-full"], "\(names)")
        let here = try await fishComplete("ctfix run ./", in: directory)
        #expect(Set(here) == ["./examples/", "./extra.yml", "./playbooks/"], "\(here)")
        let root = try await fishComplete("ctfix run table-full --root \(directory)/ex", in: "/")
        #expect(root.contains("\(directory)/examples/"), "\(root)")
        let audit = try await fishComplete("ctfix run table-full --audit-log \(directory)/au", in: "/")
        #expect(audit.contains("\(directory)/audit.jsonl"), "\(audit)")
    }

    /// zsh's completion system needs a terminal to be driven, so zsh is checked in two halves:
    /// the installed script parses and asks the binary for playbook names, files for
    /// `--audit-log` and directories for `--root`; and the binary answers the exact call the
    /// script makes (`ctfix ---completion run -- positional@0 WORD-INDEX CURSOR WORDS...`).
    static func zsh() async throws {
        let file = "/usr/share/zsh/vendor-completions/_ctfix"
        let parse = try await DebianPackage.shell("zsh -n \(file)", shell: "/bin/bash")
        #expect(parse.exitStatus == 0, "\(parse.standardError)")
        let text = try String(contentsOfFile: file, encoding: .utf8)
        #expect(text.hasPrefix("#compdef ctfix"))
        for command in ["run", "check", "validate", "watch"] {
            #expect(text.contains("__ctfix_custom_complete ---completion \(command) -- positional@0"), "\(command)")
        }
        #expect(text.contains("'--root[") && text.contains(":DIR:_files -/'"))
        #expect(text.contains(":PATH:_files'"))
        let answer = try await DebianPackage.shell("zsh -f -c 'ctfix ---completion run -- positional@0 2 3 ctfix run tab'")
        #expect(answer.exitStatus == 0, "\(answer.standardError)")
        #expect(answer.standardOutput.split(separator: "\n").map(String.init) == ["table-full"], "\(answer.standardOutput)")
    }
}
