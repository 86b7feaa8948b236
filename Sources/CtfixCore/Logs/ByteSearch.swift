#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Raw-byte searches over log buffers. Log scans stay on bytes (no `String` per line) until a
/// line is known to be interesting, which is what keeps a full scan near `grep -c` speed.
enum ByteSearch {
    static let newline = UInt8(ascii: "\n")

    /// The offset of the first occurrence of `needle` in `base[from..<end]`, or nil.
    static func find(_ needle: [UInt8], in base: UnsafePointer<UInt8>, from: Int, to end: Int) -> Int? {
        guard !needle.isEmpty, end - from >= needle.count else { return nil }
        return needle.withUnsafeBufferPointer { pattern -> Int? in
            if let libcMemmem = LibcSearch.memmem {
                guard let found = libcMemmem(base + from, end - from, pattern.baseAddress!, pattern.count) else { return nil }
                return UnsafeRawPointer(found) - UnsafeRawPointer(base)
            }
            return portableFind(pattern, in: base, from: from, to: end)
        }
    }

    /// memchr for the first byte, memcmp for the rest: for C libraries without `memmem`.
    static func portableFind(_ pattern: UnsafeBufferPointer<UInt8>, in base: UnsafePointer<UInt8>, from: Int, to end: Int) -> Int? {
        guard let first = pattern.first else { return nil }
        var start = from
        let last = end - pattern.count
        while start <= last, let candidate = firstIndex(of: first, in: base, from: start, to: last + 1) {
            if memcmp(base + candidate, pattern.baseAddress!, pattern.count) == 0 { return candidate }
            start = candidate + 1
        }
        return nil
    }

    /// The offset of the first `byte` in `base[from..<end]`, or nil.
    static func firstIndex(of byte: UInt8, in base: UnsafePointer<UInt8>, from: Int, to end: Int) -> Int? {
        guard end > from, let found = memchr(base + from, Int32(byte), end - from) else { return nil }
        return UnsafeRawPointer(found) - UnsafeRawPointer(base)
    }

    /// The offset of the last `byte` in `base[from..<end]`, or nil.
    static func lastIndex(of byte: UInt8, in base: UnsafePointer<UInt8>, from: Int, to end: Int) -> Int? {
        guard end > from else { return nil }
        if let libcMemrchr = LibcSearch.memrchr {
            guard let found = libcMemrchr(base + from, Int32(byte), end - from) else { return nil }
            return UnsafeRawPointer(found) - UnsafeRawPointer(base)
        }
        return portableLastIndex(of: byte, in: base, from: from, to: end)
    }

    static func portableLastIndex(of byte: UInt8, in base: UnsafePointer<UInt8>, from: Int, to end: Int) -> Int? {
        var index = end - 1
        while index >= from {
            if base[index] == byte { return index }
            index -= 1
        }
        return nil
    }

    /// True when `needle` occurs in the buffer.
    static func contains(_ needle: [UInt8], in bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = bytes.baseAddress else { return needle.isEmpty }
        return find(needle, in: base, from: 0, to: bytes.count) != nil
    }

    /// Counts newlines in `base[from..<end]`, 32 bytes at a time (the compiler turns the
    /// compare-and-subtract into vector instructions).
    static func countNewlines(in base: UnsafePointer<UInt8>, from: Int, to end: Int) -> Int {
        guard end > from else { return 0 }
        let raw = UnsafeRawPointer(base)
        let newlines = SIMD32<UInt8>(repeating: newline)
        var total = 0
        var index = from
        while end - index >= 32 {
            // Per-lane counters are bytes: flush them before any lane can reach 256.
            let rounds = min((end - index) / 32, 255)
            var lanes = SIMD32<UInt8>()
            for _ in 0..<rounds {
                let block = raw.loadUnaligned(fromByteOffset: index, as: SIMD32<UInt8>.self)
                lanes &-= unsafeBitCast(block .== newlines, to: SIMD32<UInt8>.self)
                index += 32
            }
            total += lanes.wrappedSum16()
        }
        while index < end {
            if base[index] == newline { total += 1 }
            index += 1
        }
        return total
    }
}

extension SIMD32<UInt8> {
    /// The sum of all lanes without byte overflow.
    @inline(__always)
    fileprivate func wrappedSum16() -> Int {
        let low = SIMD16<UInt16>(truncatingIfNeeded: lowHalf)
        let high = SIMD16<UInt16>(truncatingIfNeeded: highHalf)
        return Int((low &+ high).wrappedSum())
    }
}

/// glibc's and musl's `memmem` and `memrchr` (vectorised), which Swift's C module does not
/// export because they are GNU extensions: looked up once by name in the loaded C library.
enum LibcSearch {
    typealias MemmemFunction = @convention(c) (UnsafeRawPointer?, Int, UnsafeRawPointer?, Int) -> UnsafeMutableRawPointer?
    typealias MemrchrFunction = @convention(c) (UnsafeRawPointer?, Int32, Int) -> UnsafeMutableRawPointer?

    static let memmem: MemmemFunction? = symbol("memmem").map { unsafeBitCast($0, to: MemmemFunction.self) }
    static let memrchr: MemrchrFunction? = symbol("memrchr").map { unsafeBitCast($0, to: MemrchrFunction.self) }

    private static func symbol(_ name: String) -> UnsafeMutableRawPointer? {
        guard let handle = dlopen(nil, RTLD_NOW) else { return nil }
        return dlsym(handle, name)
    }
}
