// ctfix-fuzz TARGET [ARGS…] — the fuzz driver (docs/fuzzing.md, scripts/fuzz.sh).
//
// Built with `-sanitize=fuzzer` (and LLVMFuzzerRunDriver exported, as scripts/fuzz.sh does) it
// hands ARGS to libFuzzer: corpus directories and `-flags` fuzz, files replay. In an ordinary
// build it replays: every FILE, or every file in a DIRECTORY, once through TARGET's checker,
// printing broken invariants, exit 1 if any. TARGET may also come from CTFIX_FUZZ_TARGET
// (libFuzzer's fork and merge modes re-run this program with its own arguments only).
//
// SwiftPM links executables with its own `main`, so libFuzzer's is never used: this program
// finds libFuzzer's driver at run time and gives it the entry point below.
#if canImport(Glibc)
import Glibc
#endif
import CtfixFuzzEntries
import Foundation

nonisolated(unsafe) var selected = FuzzTarget.playbook

@_cdecl("LLVMFuzzerTestOneInput")
func testOneInput(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: count)) } ?? []
    let violations = selected.check(bytes)
    if !violations.isEmpty {
        FileHandle.standardError.write(Data(("ctfix-fuzz \(selected.rawValue): invariant broken:\n  ! "
            + violations.prefix(5).joined(separator: "\n  ! ") + "\n").utf8))
        abort() // libFuzzer writes the input as a crash file
    }
    return 0
}

func usage() -> Never {
    let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: "|")
    FileHandle.standardError.write(Data("usage: ctfix-fuzz \(names) [libFuzzer flags] [CORPUS_DIR|FILE]…\n".utf8))
    exit(2)
}

var arguments = CommandLine.arguments
if arguments.count > 1, let target = FuzzTarget(rawValue: arguments[1]) {
    selected = target
    arguments.remove(at: 1)
    setenv("CTFIX_FUZZ_TARGET", target.rawValue, 1)
} else if let name = ProcessInfo.processInfo.environment["CTFIX_FUZZ_TARGET"], let target = FuzzTarget(rawValue: name) {
    selected = target
} else {
    usage()
}

typealias TestOneInput = @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
typealias RunDriver = @convention(c) (UnsafeMutablePointer<CInt>,
                                      UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                                      TestOneInput) -> CInt

if let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "LLVMFuzzerRunDriver") {
    let driver = unsafeBitCast(symbol, to: RunDriver.self)
    var argc = CInt(arguments.count)
    var cStrings: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
    let status = cStrings.withUnsafeMutableBufferPointer { buffer in
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = buffer.baseAddress
        return driver(&argc, &argv, testOneInput)
    }
    exit(status)
}

// An ordinary build: replay.
let paths = arguments.dropFirst()
guard !paths.isEmpty, !paths.contains(where: { $0.hasPrefix("-") }) else { usage() }
var files: [String] = []
for path in paths {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
        FileHandle.standardError.write(Data("ctfix-fuzz: \(path): no such file or directory\n".utf8))
        exit(2)
    }
    if isDirectory.boolValue {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        files += names.filter { !$0.hasPrefix(".") && $0 != "README.md" }.sorted().map { "\(path)/\($0)" }
    } else {
        files.append(path)
    }
}
var broken = 0
for file in files {
    // Named before it runs: if the input crashes this process, the last line says which.
    FileHandle.standardError.write(Data("replaying \(file)\n".utf8))
    guard let data = FileManager.default.contents(atPath: file) else {
        FileHandle.standardError.write(Data("ctfix-fuzz: \(file): cannot read\n".utf8))
        exit(2)
    }
    alarm(60) // a hang is a finding too: SIGALRM ends the replay
    let violations = selected.check(Array(data))
    alarm(0)
    if !violations.isEmpty {
        broken += 1
        print("\(file): invariant broken:\n  " + violations.prefix(5).joined(separator: "\n  "))
    }
}
print("ctfix-fuzz \(selected.rawValue): replayed \(files.count) file\(files.count == 1 ? "" : "s"), \(broken) broke an invariant")
exit(broken == 0 ? 0 : 1)
