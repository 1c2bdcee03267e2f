import Foundation
import QlippyModel
import QlippyStore
import ZIPFoundation

/// The conversation files of a ChatGPT export archive (`conversations.json`, or the newer
/// `conversations-000.json`, `conversations-001.json`, …), read with limits.
///
/// Nothing is ever extracted to disk: each file is unpacked into memory, one at a time. Still, an
/// archive with an entry whose name climbs out of its folder (`../x`, `/etc/x`) is refused whole,
/// since no honest export has one; so is one with more than ``maxEntries`` entries, and unpacking
/// stops at the limits whatever the headers claim (a ZIP bomb's headers lie).
public struct ExportArchive {
    package static let maxEntries = 10_000

    private let archive: Archive
    /// The largest a single file may unpack to, and all of them together.
    package let fileLimit: Int
    package let totalLimit: Int

    public init(url: URL, fileLimit: Int, totalLimit: Int) throws {
        do {
            archive = try Archive(url: url, accessMode: .read, pathEncoding: nil)
        } catch {
            throw ImportError.notZIP
        }
        self.fileLimit = fileLimit
        self.totalLimit = totalLimit
    }

    /// The archive's conversation files, in name order.
    package func conversationFiles() throws -> [Entry] {
        var files: [Entry] = []
        var names: [String] = []
        var count = 0
        for entry in archive {
            count += 1
            guard count <= Self.maxEntries else { throw ImportError.zipTooManyEntries(limit: Self.maxEntries) }
            let path = entry.path
            let components = path.split(separator: "/", omittingEmptySubsequences: false)
            guard !path.hasPrefix("/"), !path.contains("\\"), !components.contains(".."), !path.contains("\0") else {
                throw ImportError.unsafeEntryName(path)
            }
            if names.count < 5 { names.append(path) }
            if entry.type == .file, Self.isConversationFile(path) { files.append(entry) }
        }
        guard !files.isEmpty else { throw ImportError.noConversationFiles(found: names) }
        return files.sorted { $0.path < $1.path }
    }

    /// `conversations.json` or `conversations-NNN.json`, in any folder of the archive.
    package static func isConversationFile(_ path: String) -> Bool {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        return name.wholeMatch(of: /conversations(-\d+)?\.json/) != nil
    }

    /// Unpacks every file without keeping it: whether all of them unpack (checksums included)
    /// within the limits. Run before anything is imported, so that a refused archive writes nothing.
    package func check(_ files: [Entry]) throws {
        var total = 0
        for file in files {
            var size = 0
            try unpack(file) { chunk in
                size += chunk.count
                total += chunk.count
                if size > fileLimit { throw ImportError.unpacksTooLarge(file.path, limit: fileLimit) }
                if total > totalLimit { throw ImportError.unpacksTooLarge(file.path, limit: totalLimit) }
            }
        }
    }

    /// One file's bytes (after ``check(_:)`` passed them).
    package func read(_ file: Entry) throws -> Data {
        var data = Data()
        try unpack(file) { chunk in
            data.append(chunk)
            if data.count > fileLimit { throw ImportError.unpacksTooLarge(file.path, limit: fileLimit) }
        }
        return data
    }

    private func unpack(_ entry: Entry, _ consume: (Data) throws -> Void) throws {
        do {
            _ = try archive.extract(entry, skipCRC32: false, consumer: consume)
        } catch let error as ImportError {
            throw error
        } catch {
            throw ImportError.damagedZIP(entry.path)
        }
    }
}
