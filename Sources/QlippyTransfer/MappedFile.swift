import Foundation
import QlippyJSON
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A file's bytes mapped from disk (not read into memory), whose pages are handed back to the
/// kernel as an import moves past them.
///
/// A mapped file's pages count in the process's resident memory once touched, and the kernel only
/// reclaims them under pressure: importing a 986 MB export peaked at 1 GB of RSS while the import
/// itself held 8 MB. An import reads its file front to back several times (finding the elements,
/// checking each as JSON, then writing them), telling ``reading(at:)`` where it is; every few
/// megabytes the pages behind it are handed back, and resident memory stays near that stretch
/// instead of the file's size.
public final class MappedFile: ScannedPages {
    public let data: Data
    /// The mapping's start, as an integer so that the type is `Sendable`; 0 for an empty file.
    private let base: UInt
    private let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))
    /// Where the reader was at the last release (releasing every few megabytes keeps system calls
    /// few), and how many releases there were.
    private let releases = Mutex((lastOffset: 0, count: 0))
    private static let stretch = 16 << 20

    public init(url: URL) throws {
        let descriptor = open(url.path, O_RDONLY)
        guard descriptor >= 0 else { throw CocoaError(.fileReadNoSuchFile, userInfo: [NSFilePathErrorKey: url.path]) }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw CocoaError(.fileReadUnknown, userInfo: [NSFilePathErrorKey: url.path]) }
        let size = Int(status.st_size)
        guard size > 0 else {
            data = Data()
            base = 0
            return
        }
        guard let pointer = mmap(nil, size, PROT_READ, MAP_PRIVATE, descriptor, 0), pointer != MAP_FAILED else {
            throw CocoaError(.fileReadUnknown, userInfo: [NSFilePathErrorKey: url.path])
        }
        base = UInt(bitPattern: pointer)
        data = Data(bytesNoCopy: pointer, count: size, deallocator: .custom { pointer, size in munmap(pointer, size) })
    }

    /// Called as a reader passes `offset`: every few megabytes, hands back the pages below it.
    /// Always safe, whatever is read later (a later pass over the file, or the current element):
    /// a released page of a private read-only mapping is read from the file again when touched.
    public func reading(at offset: Int) {
        guard base != 0 else { return }
        let due = releases.withLock { releases in
            guard abs(offset - releases.lastOffset) >= Self.stretch else { return false }
            releases = (offset, releases.count + 1)
            return true
        }
        let length = min(offset, data.count) / pageSize * pageSize
        guard due, length > 0, let pointer = UnsafeMutableRawPointer(bitPattern: base) else { return }
        madvise(pointer, length, MADV_DONTNEED)
    }

    /// How many times pages were handed back: a reader that reports its position only at the end
    /// of a long stretch releases once, and resident memory has meanwhile grown to that stretch.
    package var releaseCount: Int {
        releases.withLock { $0.count }
    }
}
