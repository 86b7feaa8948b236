#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// One state of one file: its device, inode, size and change time (`st_ctim`, in
/// nanoseconds). The kernel sets the change time on every write, truncation, rename, chmod,
/// chown or link, and user space cannot set it (unlike the modification time, which
/// `utimensat` can), so an identity that compares equal means nobody changed the file in
/// between. That holds exactly on file systems whose change times are fine-grained once they
/// have been read (Linux 6.13+ multigrain timestamps: ext4, xfs, btrfs, tmpfs); on others a
/// same-size rewrite within one clock tick keeps the change time.
public struct FileIdentity: Sendable, Equatable, CustomStringConvertible {
    public var device: UInt64
    public var inode: UInt64
    public var size: Int64
    public var changeTimeNanoseconds: Int64

    public init(device: UInt64, inode: UInt64, size: Int64, changeTimeNanoseconds: Int64) {
        self.device = device
        self.inode = inode
        self.size = size
        self.changeTimeNanoseconds = changeTimeNanoseconds
    }

    init(_ st: stat) {
        self.init(device: UInt64(st.st_dev), inode: UInt64(st.st_ino), size: Int64(st.st_size),
                  changeTimeNanoseconds: Int64(st.st_ctim.tv_sec) * 1_000_000_000 + Int64(st.st_ctim.tv_nsec))
    }

    /// The identity of an open descriptor's file; nil when fstat fails.
    init?(descriptor fd: Int32) {
        var st = stat()
        guard fstat(fd, &st) == 0 else { return nil }
        self.init(st)
    }

    public var description: String { "dev \(device) ino \(inode) size \(size) ctime \(changeTimeNanoseconds) ns" }
}
