import Foundation
import QlippyJSON
import QlippyModel
import QlippyTestSupport
import Testing

@testable import QlippyTransfer

/// An import's file is mapped, and the pages it has read are handed back: resident memory follows
/// the reader, not the file's size, and the bytes stay right whatever is read again. The scans run
/// on their own threads (`onOwnThread`): seconds of blocking work on the shared pool delay other
/// suites' timers.
@Suite("Mapped import files")
struct MappedFileTests {
    /// 48 MB of a JSON array (or of an object holding it, like our own export), with each element
    /// different so that a wrong page would show.
    static func writeArray(elements: Int, inObject: Bool = false) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("mapped-\(UUID().uuidString).json")
        var bytes = Data((inObject ? #"{"version": 1, "conversations": ["# : "[").utf8)
        let text = String(repeating: "x", count: 4_000)
        for index in 0..<elements {
            bytes.append(contentsOf: ((index == 0 ? "" : ",") + #"{"n": \#(index), "text": "\#(text)"}"#).utf8)
        }
        bytes.append(contentsOf: (inObject ? "]}" : "]").utf8)
        try bytes.write(to: url)
        return url
    }

    /// The mapping's resident size from `/proc/self/smaps`, in kB: the one line that belongs to it.
    static func residentKB(of data: Data) throws -> Int? {
        let start = data.withUnsafeBytes { UInt(bitPattern: $0.baseAddress) }
        // Read as a stream: /proc files report a size of 0, which a whole-file read believes.
        let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: "/proc/self/smaps"))
        defer { try? handle.close() }
        let smaps = String(decoding: try handle.readToEnd() ?? Data(), as: UTF8.self)
        var inMapping = false
        for line in smaps.split(separator: "\n") {
            if let dash = line.firstIndex(of: "-"), let space = line.firstIndex(of: " "), dash < space,
                let low = UInt(line[..<dash], radix: 16), let high = UInt(line[line.index(after: dash)..<space], radix: 16)
            {
                inMapping = low <= start && start < high
            } else if inMapping, line.hasPrefix("Rss:") {
                return Int(line.split(separator: " ")[1])
            }
        }
        return nil
    }

    static let hasSmaps = FileManager.default.fileExists(atPath: "/proc/self/smaps")

    @Test(.enabled(if: hasSmaps, "resident memory per mapping is read from Linux's /proc/self/smaps"))
    func pagesBehindTheReaderLeaveResidentMemory() async throws {
        struct Seen: Sendable {
            var elements = 0, kept: Int?, released: Int?, sameRanges = false, lastElement = "", sameBytes = false
        }
        let seen = try await onOwnThread {
            let url = try Self.writeArray(elements: 12_000)
            defer { try? FileManager.default.removeItem(at: url) }
            var seen = Seen()
            let file = try MappedFile(url: url)
            let ranges = try JSONArrayElements.ranges(in: file.data)
            seen.elements = ranges.count
            seen.kept = try Self.residentKB(of: file.data)
            let file2 = try MappedFile(url: url)
            let again = try JSONArrayElements.ranges(in: file2.data, pages: file2)
            try JSONArrayElements.validate(again, in: file2.data, pages: file2)
            seen.sameRanges = again == ranges
            seen.released = try Self.residentKB(of: file2.data)
            // Read again after release: the pages come back from the file, unchanged.
            seen.lastElement = String(decoding: file2.data.bytes(at: again[11_999]).prefix(12), as: UTF8.self)
            seen.sameBytes = file2.data == (try Data(contentsOf: url))
            return seen
        }
        #expect(seen.elements == 12_000)
        #expect(try #require(seen.kept) > 40_000)
        #expect(seen.sameRanges)
        #expect(try #require(seen.released) < 20_000)
        #expect(seen.lastElement == #"{"n": 11999,"#)
        #expect(seen.sameBytes)
    }

    /// Our own export is one object whose `conversations` member is most of the file: the scan that
    /// steps over that member hands pages back as it goes (it did not, and RSS reached the file's size).
    @Test(.enabled(if: hasSmaps, "resident memory per mapping is read from Linux's /proc/self/smaps"))
    func pagesBehindAScanOverOneLargeMemberLeaveResidentMemory() async throws {
        let (keys, releases, resident, elements) = try await onOwnThread {
            let url = try Self.writeArray(elements: 12_000, inObject: true)
            defer { try? FileManager.default.removeItem(at: url) }
            let file = try MappedFile(url: url)
            let members = try JSONArrayElements.members(in: file.data, pages: file)
            let releases = file.releaseCount
            let resident = try Self.residentKB(of: file.data)
            let elements = try JSONArrayElements.ranges(in: file.data, ofArrayAt: members[1].value, pages: file)?.count
            return (members.map(\.key), releases, resident, elements)
        }
        #expect(keys == ["version", "conversations"])
        // Released along the way (the file is 48 MB, a release every 16 MB), not only at the end.
        #expect(releases >= 2)
        #expect(try #require(resident) < 20_000)
        #expect(elements == 12_000)
    }

    @Test func anEmptyFileMapsToNoBytes() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("mapped-\(UUID().uuidString).json")
        try Data().write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let file = try MappedFile(url: url)
        #expect(file.data.isEmpty)
        file.reading(at: 100)
        #expect(file.releaseCount == 0)
    }
}
