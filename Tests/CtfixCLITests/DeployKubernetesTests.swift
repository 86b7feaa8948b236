import CtfixCore
import Foundation
import Testing
import Yams

/// The Kubernetes DaemonSet (`examples/deploy/kubernetes`): every host directory ctfix reads
/// or writes is mounted under the `--root` it is given, reboots go to kured, and the kured
/// playbook variant is valid and plans the reboot through the sentinel on a real example host.
@Suite struct DeployKubernetesTests {
    static let daemonSetFile = "kubernetes/daemonset.yaml"
    static let playbookFile = "kubernetes/alloc-failure-kured.yaml"

    static func podSpec() throws -> YAMLPath {
        let daemonSet = YAMLPath(file: daemonSetFile, value: try DeployFiles.yaml(daemonSetFile))
        #expect(try daemonSet["kind"].string() == "DaemonSet")
        return daemonSet["spec"]["template"]["spec"]
    }

    @Test func runsWatchOnTheHostRootWithEveryDirectoryItNeeds() throws {
        let pod = try Self.podSpec()
        #expect(pod["hostNetwork"].value as? Bool == true, "/proc/sys/net is per network namespace")
        #expect(pod["hostPID"].value as? Bool == true)
        #expect(try pod["tolerations"][0]["operator"].string() == "Exists")
        let container = pod["containers"][0]
        #expect(container["securityContext"]["privileged"].value as? Bool == true)
        let args = try container["args"].strings()
        #expect(args.first == "watch")
        let rootIndex = try #require(args.firstIndex(of: "--root"))
        let root = args[rootIndex + 1]
        #expect(args.contains("--allow-destructive"))
        #expect(args.contains("table-full") && args.contains("alloc-failure-kured"))

        // hostPath → mount path, joined through the volume names.
        var hostPaths: [String: String] = [:]
        for volume in try pod["volumes"].list() where volume["hostPath"].exists {
            hostPaths[try volume["name"].string()] = try volume["hostPath"]["path"].string()
        }
        var mounted: [String: String] = [:]
        for mount in try container["volumeMounts"].list() {
            if let host = hostPaths[try mount["name"].string()] { mounted[host] = try mount["mountPath"].string() }
        }
        for host in ["/proc", "/sys", "/etc", "/var/log", "/var/lib/ctfix", "/run", "/dev/kmsg"] {
            #expect(mounted[host] == root + host, "\(host) must be mounted at \(root)\(host)")
        }
        // Writable where ctfix writes (sysctls, hash size, persisted config, state, lock, sentinel).
        for mount in try container["volumeMounts"].list() {
            let path = try mount["mountPath"].string()
            let readOnly = mount["readOnly"].value as? Bool == true
            #expect(readOnly == [root + "/dev/kmsg", "/etc/ctfix/playbooks/alloc-failure-kured.yaml"].contains(path), "\(path): readOnly \(readOnly)")
        }
    }

    @Test func playbooksComeFromTheImageAndTheGeneratedConfigMap() throws {
        let kustomization = YAMLPath(file: "kubernetes/kustomization.yaml", value: try DeployFiles.yaml("kubernetes/kustomization.yaml"))
        let generated = try kustomization["configMapGenerator"][0]["files"].strings()
        #expect(generated == ["alloc-failure-kured.yaml"])
        let pod = try Self.podSpec()
        let mount = try #require(try pod["containers"][0]["volumeMounts"].list().first { (try? $0["name"].string()) == "playbooks" })
        // /etc/ctfix/playbooks is searched before the installed share directory. The file is
        // mounted alone: a ConfigMap volume's own directory is mode 1777, which ctfix refuses as root.
        #expect(try mount["mountPath"].string() == "/etc/ctfix/playbooks/alloc-failure-kured.yaml")
        #expect(try mount["subPath"].string() == "alloc-failure-kured.yaml")
    }

    @Test func kuredPlaybookIsValid() async throws {
        let result = try await CtfixBinary.run(["validate", DeployFiles.path(Self.playbookFile)])
        #expect(result.exitStatus == 0, "\(result.standardError)")
        #expect(result.standardOutput.contains("ok (alloc-failure-kured)"))
        let playbook = try PlaybookLoader.load(path: DeployFiles.path(Self.playbookFile))
        let reboot = try #require(playbook.actions.last)
        #expect(reboot.allowUnattended)
        #expect(reboot.risk == .destructive)
    }

    /// On the CentOS 6 example host (21 allocation failures counting suppressed repeats), the
    /// dry-run plans the memory remedies and the kured sentinel, and changes nothing.
    @Test func dryRunPlansTheSentinelOnTheAllocationFailureHost() async throws {
        let host = try ExampleHostsPaths.copy("centos6-alloc-failure")
        let audit = "\(host)/audit.jsonl"
        let result = try await CtfixBinary.run(["run", DeployFiles.path(Self.playbookFile), "--root", host, "--dry-run", "--audit-log", audit])
        #expect(result.exitStatus == 0, "\(result.standardError)")
        #expect(result.standardOutput.contains("detection FIRING"))
        #expect(result.standardOutput.contains("request a reboot from kured (create /run/reboot-required)"))
        #expect(result.standardOutput.contains("vm.min_free_kbytes: 11361 → 19228"))
        #expect(!FileManager.default.fileExists(atPath: "\(host)/run/reboot-required"))
    }

    /// The same run for real, unattended as the DaemonSet runs it: the sentinel appears under
    /// the root, and a second run in the same boot is refused (ctfix reboots once per boot).
    @Test func unattendedRunCreatesTheSentinelOncePerBoot() async throws {
        let host = try ExampleHostsPaths.copy("centos6-alloc-failure")
        let arguments = ["run", DeployFiles.path(Self.playbookFile), "--root", host, "--yes", "--allow-destructive", "--no-verify-delay",
                         "--audit-log", "\(host)/audit.jsonl"]
        let first = try await CtfixBinary.run(arguments)
        #expect(FileManager.default.fileExists(atPath: "\(host)/run/reboot-required"), "\(first.standardOutput)\(first.standardError)")
        // Changed deliberately: this kernel has no memory compaction, so compact-memory is refused,
        // and a run with a refused action is `partial`, never `remediated`.
        #expect(first.exitStatus == ExitStatus.partial.rawValue, "\(first.standardOutput)\(first.standardError)")
        #expect(first.standardOutput.contains("not applied: compact-memory (refused)"))
        #expect(first.standardOutput.contains("applied reboot-via-kured: created /run/reboot-required"))
        try FileManager.default.removeItem(atPath: "\(host)/run/reboot-required")
        let second = try await CtfixBinary.run(arguments + ["--force"])
        #expect(second.exitStatus == ExitStatus.refused.rawValue, "\(second.standardOutput)")
        #expect(second.standardOutput.contains("already rebooted this host in this boot"))
        #expect(!FileManager.default.fileExists(atPath: "\(host)/run/reboot-required"))
    }

    @Test(.enabled(if: DeployTools.available("kubectl"), "needs kubectl (its built-in kustomize renders offline)"))
    func kustomizeRendersTheConfigMapFromThePlaybookFile() async throws {
        let result = try await DeployTools.run([DeployTools.find("kubectl")!, "kustomize", DeployFiles.path("kubernetes")])
        #expect(result.exitStatus == 0, "\(result.standardError)")
        let documents = try Yams.load_all(yaml: result.standardOutput).compactMap { $0 as? [String: Any] }
        #expect(Set(documents.compactMap { $0["kind"] as? String }) == ["Namespace", "ServiceAccount", "ConfigMap", "DaemonSet"])
        let configMap = try #require(documents.first { $0["kind"] as? String == "ConfigMap" })
        let embedded = (configMap["data"] as? [String: Any])?["alloc-failure-kured.yaml"] as? String
        #expect(embedded == (try DeployFiles.text(Self.playbookFile)))
        for document in documents where document["kind"] as? String != "Namespace" {
            #expect((document["metadata"] as? [String: Any])?["namespace"] as? String == "ctfix")
        }
    }
}
