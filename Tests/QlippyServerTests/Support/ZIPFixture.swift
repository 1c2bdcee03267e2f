import Foundation
import QlippyModel
import QlippyTestSupport
import Testing
import ZIPFoundation

/// ZIP archives made for a test, entry by entry (names are written as given, unsafe ones included).
enum ZIPFixture {
    static func make(_ entries: [(name: String, data: Data)]) throws -> Data {
        let archive = try Archive(data: Data(), accessMode: .create)
        for entry in entries {
            try archive.addEntry(with: entry.name, type: .file, uncompressedSize: Int64(entry.data.count), compressionMethod: .deflate) {
                position, size in
                entry.data.subdata(in: Int(position)..<Int(position) + size)
            }
        }
        return try #require(archive.data)
    }
}
