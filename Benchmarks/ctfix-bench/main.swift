import Foundation

/// ctfix's benchmarks: programs that measure, never timed assertions in tests.
/// Figures and how they were taken are in docs/benchmarks.md.
let usage = """
usage: ctfix-bench logs [--size SIZE]… [--runs N]
         windowed (15m) check and full scan of a generated kern.log (10MiB and SIZE, default 1GiB),
         full scan compared with grep -c; files are cached under /tmp/ctfix-bench
       ctfix-bench dry-run [--runs N] [--ansible-runs N] [--audit-dir DIR] [--binary PATH]
         the whole `ctfix run PLAYBOOK --dry-run` process against the example hosts (needs the
         release ctfix beside ctfix-bench: swift build -c release), its peak RSS, an idle
         `ctfix watch`'s peak RSS, and ansible-playbook --check --diff of the same work
       ctfix-bench watch [--runs N]
         appended kernel-log line → audited action intent of a running `ctfix watch` (release build)
       ctfix-bench parse [--runs N]
         parse cost at the input limits (ParseLimits) beside loading the shipped playbooks
       ctfix-bench serve [--requests N]
         the release `ctfix serve` answering webhook POSTs on loopback (p50/p90/p99)
       ctfix-bench diff [--lines N] [--runs N]
         a plan's unified diff of an N-line file (default 10000): linear-space Myers, the LCS
         table it replaced, and GNU diff -u, each in its own process (time and peak RSS)
       ctfix-bench regex [--runs N] [--cap SECONDS]
         worst-case pattern cost on one line at the length limit: ctfix's bounded match, the
         unbounded engine (stopped at the cap) and grep -E on the same line
"""

let arguments = Array(CommandLine.arguments.dropFirst())
do {
    switch arguments.first {
    case "logs":
        try await LogsBenchmark.run(Array(arguments.dropFirst()))
    case "logs-measure":
        try await LogsBenchmark.measureChild(Array(arguments.dropFirst()))
    case "dry-run":
        try DryRunBenchmark.run(Array(arguments.dropFirst()))
    case "watch":
        try WatchBenchmark.run(Array(arguments.dropFirst()))
    case "diff":
        try DiffBenchmark.run(Array(arguments.dropFirst()))
    case "diff-measure":
        try DiffBenchmark.measure(Array(arguments.dropFirst()))
    case "regex":
        try RegexBenchmark.run(Array(arguments.dropFirst()))
    case "parse":
        try ParseLimitsBenchmark.run(Array(arguments.dropFirst()))
    case "serve":
        try await ServeBenchmark.run(Array(arguments.dropFirst()))
    case "-h", "--help", "help":
        print(usage)
    default:
        FileHandle.standardError.write(Data((usage + "\n").utf8))
        exit(64)
    }
} catch {
    FileHandle.standardError.write(Data("ctfix-bench: \(error)\n".utf8))
    exit(1)
}
