import Foundation
import Testing
@testable import QlippyServer

/// An import's file is mapped, and the pages it has read are handed back: resident memory follows
/// the reader, not the file's size, and the bytes stay right whatever is read again.
@Suite("Mapped import files")
struct MappedFileTests {
    /// 48 MB of a JSON array, with each element's text different so that a wrong page would show.
    static func writeArray(elements: Int) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("mapped-\(UUID().uuidString).json")
        var text = "["
        for index in 0..<elements {
            text += (index == 0 ? "" : ",") + #"{"n": \#(index), "text": "\#(String(repeating: "x", count: 4_000))"}"#
        }
        try Data((text + "]").utf8).write(to: url)
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
               let low = UInt(line[..<dash], radix: 16), let high = UInt(line[line.index(after: dash)..<space], radix: 16) {
                inMapping = low <= start && start < high
            } else if inMapping, line.hasPrefix("Rss:") {
                return Int(line.split(separator: " ")[1])
            }
        }
        return nil
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/proc/self/smaps"), "resident memory per mapping is read from Linux's /proc/self/smaps"))
    func pagesBehindTheReaderLeaveResidentMemory() throws {
        let url = try Self.writeArray(elements: 12_000)
        defer { try? FileManager.default.removeItem(at: url) }
        let file = try MappedFile(url: url)
        let ranges = try JSONArrayElements.ranges(in: file.data)
        #expect(ranges.count == 12_000)
        #expect(try #require(try Self.residentKB(of: file.data)) > 40_000)

        let file2 = try MappedFile(url: url)
        let again = try JSONArrayElements.ranges(in: file2.data, pages: file2)
        try JSONArrayElements.validate(again, in: file2.data, pages: file2)
        #expect(again == ranges)
        #expect(try #require(try Self.residentKB(of: file2.data)) < 20_000)
        // Read again after release: the pages come back from the file, unchanged.
        let last = file2.data[file2.data.startIndex + again[11_999].lowerBound..<file2.data.startIndex + again[11_999].upperBound]
        #expect(String(decoding: last.prefix(12), as: UTF8.self) == #"{"n": 11999,"#)
        #expect(file2.data == (try Data(contentsOf: url)))
    }

    @Test func anEmptyFileMapsToNoBytes() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("mapped-\(UUID().uuidString).json")
        try Data().write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let file = try MappedFile(url: url)
        #expect(file.data.isEmpty)
        file.reading(at: 100)
    }
}
