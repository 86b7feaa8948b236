import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension RootedFileSystem {
    /// Why the files under this root are this machine's own although the root is not its `/`
    /// by name (ctfix then treats it as another root: programs and reboots are simulated), or
    /// nil. Two cases: the root directory *is* this machine's `/` under another name (a bind
    /// mount of `/`: same device and inode), or its `/proc` is a live procfs (`mount --rbind /`,
    /// a container's hostPath mount of a node), so values written there change this kernel.
    /// For the plan and the destructive prompt, which must name the machine really affected.
    public var thisMachineReason: String? {
        guard !root.isEmpty else { return nil }
        if Self.isProcessRoot(descriptor.fd) {
            return "\(root) is this machine's / (a bind mount)"
        }
        // procfs reports size 0 and shows the kernel of whoever reads it: a boot id of size 0
        // that is this kernel's is a live procfs, not a captured copy (copies have a size).
        let bootID = "/proc/sys/kernel/random/boot_id"
        if let info = try? self.info(bootID), info.kind == .file, info.size == 0,
           let theirs = try? readText(bootID), let ours = try? String(contentsOfFile: bootID, encoding: .utf8),
           !ours.isEmpty, theirs == ours {
            return "\(root)/proc is this machine's procfs"
        }
        return nil
    }
}
