import Foundation
import Testing
@testable import CtfixCore

/// Real-world procfs samples from `Resources/proc` (each with its `# SOURCE:` header) turned
/// into in-memory hosts, plus small helpers to parse and evaluate predicates against them.
enum KernelFixtures {
    struct MissingResource: Error, CustomStringConvertible {
        var name: String
        var description: String { "test resource Resources/proc/\(name) is missing from the bundle" }
    }

    /// The whole resource file, header included.
    static func resource(_ name: String) throws -> String {
        let url = Bundle.module.bundleURL.appendingPathComponent("Resources/proc/\(name)")
        guard let data = FileManager.default.contents(atPath: url.path) else { throw MissingResource(name: name) }
        return String(decoding: data, as: UTF8.self)
    }

    /// The file as the host would show it: the leading `#` header lines (source notes) removed.
    static func hostText(_ name: String) throws -> String {
        let lines = try resource(name).split(separator: "\n", omittingEmptySubsequences: false)
        return lines.drop { $0.hasPrefix("#") }.joined(separator: "\n")
    }

    /// The sysctl values a sample shows, as `/proc/sys` (and `/sys`) files: `key = value` lines
    /// (`sysctl -a` output) and `cat PATH` followed by the value (first occurrence wins).
    static func sysctlFiles(_ name: String) throws -> [String: String] {
        var files: [String: String] = [:]
        var pendingPath: String?
        for raw in try hostText(name).split(separator: "\n") {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if let range = line.range(of: "cat /") {
                pendingPath = String(line[line.index(before: range.upperBound)...]).trimmingCharacters(in: .whitespaces)
                continue
            }
            if let path = pendingPath, HostNumber.parse(line) != nil {
                if files[path] == nil { files[path] = line + "\n" }
                pendingPath = nil
                continue
            }
            let parts = line.components(separatedBy: " = ")
            if parts.count == 2, let key = try? SysctlKey(parts[0]), HostNumber.parse(parts[1]) != nil {
                files[key.path] = parts[1] + "\n"
            }
        }
        return files
    }

    static func context(_ files: [String: String], parameters: [String: Double] = [:],
                        live: Bool = false) -> EvaluationContext {
        EvaluationContext(host: CtfixContext(fileSystem: InMemoryFileSystem(files), isLiveHost: live), parameters: parameters)
    }

    static func context(_ fileSystem: InMemoryFileSystem, parameters: [String: Double] = [:]) -> EvaluationContext {
        EvaluationContext(host: CtfixContext(fileSystem: fileSystem), parameters: parameters)
    }

    /// A CentOS 5 host as the seed describes it: ip_conntrack count 36271 over max 16640.
    static func centos5SeedHost() throws -> [String: String] {
        [
            "/proc/sys/net/ipv4/netfilter/ip_conntrack_count": "36271\n",
            "/proc/sys/net/ipv4/netfilter/ip_conntrack_max": "16640\n",
            "/proc/sys/net/ipv4/ip_conntrack_max": "16640\n",
            "/proc/sys/net/ipv4/netfilter/ip_conntrack_buckets": "2080\n",
            "/proc/sys/net/ipv4/netfilter/ip_conntrack_tcp_timeout_established": "432000\n",
            "/proc/sys/net/ipv4/netfilter/ip_conntrack_udp_timeout": "30\n",
            "/proc/slabinfo": try hostText("slabinfo_2.1_ip_conntrack_centos5_seed.txt"),
            "/proc/meminfo": try hostText("meminfo_01_2010_6GB_no_MemAvailable.txt"),
            "/sys/module/ip_conntrack/refcnt": "3\n",
            "/sys/module/ip_conntrack/parameters/hashsize": "2080\n",
        ]
    }

    /// A modern host: sysctl_01's counters, meminfo_02, the dev machine's slabinfo, built-in module.
    static func modernHost() throws -> [String: String] {
        var files = try sysctlFiles("sysctl_01_ubuntu1804_lab_grep_conntrack.txt")
        files["/proc/sys/net/nf_conntrack_max"] = "1000\n"
        files["/proc/sys/net/netfilter/nf_conntrack_tcp_timeout_established"] = "432000\n"
        files["/proc/slabinfo"] = try hostText("slabinfo_2.1_modern_6.18_dev_host.txt")
        files["/proc/meminfo"] = try hostText("meminfo_02_modern_32GB_go_testdata.txt")
        files["/sys/module/nf_conntrack/parameters/hashsize"] = "65536\n"
        return files
    }
}

/// Parses one predicate snippet the way a playbook's `detect:` would be parsed.
func parsePredicate(_ yaml: String, parameters: Set<String> = []) throws -> (predicate: CtfixCore.Predicate?, diagnostics: [Diagnostic]) {
    let node = try YAMLDocumentParser.parse(yaml, file: "test.yaml")
    var scope = ParseScope(file: "test.yaml", parameterNames: parameters)
    let predicate = Predicate.parse(node, scope: &scope)
    return (scope.hasErrors ? nil : predicate, scope.diagnostics)
}

/// Parses a snippet that must be valid and evaluates it.
func evaluate(_ yaml: String, in context: EvaluationContext, parameters: Set<String> = []) async throws -> PredicateResult {
    let parsed = try parsePredicate(yaml, parameters: parameters)
    #expect(parsed.diagnostics.isEmpty, "unexpected diagnostics: \(parsed.diagnostics)")
    let predicate = try #require(parsed.predicate)
    return await predicate.evaluate(in: context)
}
