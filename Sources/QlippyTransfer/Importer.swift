import Foundation
import QlippyJSON
import QlippyModel
import QlippyStore

/// The formats an import understands, detected from the file's content.
public enum ImportFormat: String, Sendable, Equatable, CaseIterable {
    case qlippy = "qlippy-export"
    /// ChatGPT's data export: `conversations.json`, a JSON array of conversations with a `mapping`.
    case chatgpt
    /// Open WebUI's chat export: a JSON array of chats, each with `chat.history.messages`.
    case openwebui
}

/// Why a file could not be imported at all (nothing was written); each one line for the client.
public enum ImportError: Error, Equatable, CustomStringConvertible {
    case notJSON(String)
    case unrecognised(found: String)
    case unsupportedVersion(Int)
    case notZIP
    case damagedZIP(String)
    case zipTooManyEntries(limit: Int)
    case unsafeEntryName(String)
    case noConversationFiles(found: [String])
    case unpacksTooLarge(String, limit: Int)
    case noConversationFilesInFolder(String)

    public var description: String {
        switch self {
        case .notJSON(let detail): "Import file is not valid JSON: \(detail)"
        case .unrecognised(let found): "Unrecognised import format: found \(found)"
        case .unsupportedVersion(let version):
            "Unsupported qlippy-export version \(version): this server reads versions "
                + "\(ExportWriter.readableVersions.lowerBound) to \(ExportWriter.readableVersions.upperBound)"
        case .notZIP: "Import file is not a ZIP archive"
        case .damagedZIP(let name): "ZIP archive is damaged: \(name) cannot be unpacked"
        case .zipTooManyEntries(let limit): "ZIP archive has more than \(limit) entries"
        case .unsafeEntryName(let name): "ZIP archive has an entry named \(name), outside the archive's folder"
        case .noConversationFiles(let found):
            "ZIP archive has no conversations.json or conversations-NNN.json; found "
                + (found.isEmpty ? "no entries" : found.joined(separator: ", "))
        case .unpacksTooLarge(let name, let limit): "ZIP entry \(name) unpacks to more than \(limit) bytes"
        case .noConversationFilesInFolder(let path): "\(path) has no conversations.json or conversations-NNN.json"
        }
    }

    /// A bomb is "too large"; everything else is a bad file.
    package var isTooLarge: Bool {
        if case .unpacksTooLarge = self { true } else { false }
    }
}

/// Imports a file into a user's history: detects its format, then writes each conversation in a
/// transaction of its own (one that cannot be read or written is skipped and reported; the others
/// arrive), and says exactly what happened.
public struct Importer: Sendable {
    package let store: any ChatResources & HistoryTransfer
    /// Called after each conversation with the report so far (the command line's progress).
    package var progress: (@Sendable (ImportReport) -> Void)?
    /// The mapped file being read, told how far each pass has read (``MappedFile``).
    private var pages: MappedFile?

    public init(store: any ChatResources & HistoryTransfer, progress: (@Sendable (ImportReport) -> Void)? = nil) {
        self.store = store
        self.progress = progress
    }

    /// Imports one JSON file mapped from disk, its pages handed back as the import moves on.
    public func run(_ file: MappedFile, userID: String, format: ImportFormat? = nil) async throws -> ImportReport {
        var importer = self
        importer.pages = file
        return try await importer.run(file.data, userID: userID, format: format)
    }

    /// Imports one JSON file. Content that shows its format is read as that format; `format`
    /// decides for content that does not (an empty list, a first item with both ChatGPT's and
    /// Open WebUI's marks or neither, an object without our export's `"format"`).
    public func run(_ data: Data, userID: String, format: ImportFormat? = nil) async throws -> ImportReport {
        _ = try await store.user(id: userID)
        switch try await Self.detect(data, pages: pages, hint: format) {
        case .qlippy:
            return try await importQlippy(data, userID: userID)
        case .chatgpt:
            var report = ImportReport(format: .chatgpt)
            try await importChatGPT(data, userID: userID, into: &report)
            return report
        case .openwebui:
            var report = ImportReport(format: .openwebui)
            try await importEach(
                OpenWebUIChat.self, from: data, elements: try await checkedElements(of: data), userID: userID, into: &report,
                convert: OpenWebUIImport.conversation)
            return report
        }
    }

    /// Our own export, read like the other formats: its top-level members found without decoding
    /// them, the small ones decoded whole, the conversations one at a time from their bytes. All of
    /// it is checked as JSON before anything (a plugin included) is written.
    private func importQlippy(_ data: Data, userID: String) async throws -> ImportReport {
        let members = try await ImportScan.members(in: data, pages: pages)
        let member = { (key: String) in members.last { $0.key == key }?.value }
        try await ImportScan.validate(members.filter { $0.key != "conversations" }.map(\.value), in: data)
        guard let version = member("version") else { throw ImportError.unrecognised(found: "no version field") }
        let number: Int
        do {
            number = try JSONDecoder().decode(Int.self, from: data.bytes(at: version))
        } catch {
            throw ImportError.unrecognised(found: "version: " + Self.reason(error))
        }
        guard ExportWriter.readableVersions.contains(number) else { throw ImportError.unsupportedVersion(number) }
        guard let conversations = member("conversations") else { throw ImportError.unrecognised(found: "no conversations field") }
        guard let elements = try await ImportScan.ranges(in: data, ofArrayAt: conversations, pages: pages) else {
            throw ImportError.unrecognised(found: "conversations that are not an array")
        }
        try await ImportScan.validate(elements, in: data, pages: pages)
        let plugins =
            try member("plugins").map { try Self.decode([Lossy<QlippyExportFile.PluginEntry>].self, from: data.bytes(at: $0)) } ?? []
        var report = ImportReport(format: .qlippy)
        for entry in plugins {
            guard case .success(let plugin) = entry.result else { continue }
            switch try await store.importPlugin(plugin.imported, userID: userID) {
            case .imported: report.pluginsImported += 1
            case .alreadyPresent: report.pluginsAlreadyPresent += 1
            }
        }
        try await importEach(QlippyExportFile.ConversationEntry.self, from: data, elements: elements, userID: userID, into: &report) {
            entry, _, _ in
            entry.imported
        }
        return report
    }

    /// A ChatGPT export archive: every conversation file in it, into one report. Each file is
    /// unpacked into memory in turn (``ExportArchive``'s limits apply) and dropped after its import.
    public func runArchive(_ archive: ExportArchive, userID: String) async throws -> ImportReport {
        _ = try await store.user(id: userID)
        let files = try archive.conversationFiles()
        try archive.check(files)
        return try await importChatGPTFiles(files.map(\.path), userID: userID) { try archive.read(files[$0]) }
    }

    /// The conversation files of an extracted ChatGPT export (a folder), into one report.
    public func runFolder(_ folder: URL, userID: String) async throws -> ImportReport {
        _ = try await store.user(id: userID)
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter(ExportArchive.isConversationFile).sorted()
        guard !names.isEmpty else { throw ImportError.noConversationFilesInFolder(folder.path) }
        return try await importChatGPTFiles(names, userID: userID) {
            try Data(contentsOf: folder.appendingPathComponent(names[$0]), options: .alwaysMapped)
        }
    }

    /// Several ChatGPT files into one report, read one at a time; a file that is not JSON is
    /// reported like a conversation that cannot be read, and the others still arrive.
    private func importChatGPTFiles(_ names: [String], userID: String, read: (Int) throws -> Data) async throws -> ImportReport {
        var report = ImportReport(format: .chatgpt, filesRead: 0)
        for index in names.indices {
            report.filesRead += 1
            progress?(report)
            do {
                try await importChatGPT(try read(index), userID: userID, into: &report)
            } catch let error as ImportError {
                report.skipped.append(.init(sourceID: names[index], title: "", reason: error.description))
            }
        }
        return report
    }

    /// One ChatGPT file's conversations into `report` (the split archive's files share one report).
    package func importChatGPT(_ data: Data, userID: String, into report: inout ImportReport) async throws {
        try await importEach(
            ChatGPTConversation.self, from: data, elements: try await checkedElements(of: data), userID: userID, into: &report,
            decode: ChatGPTReader.entry, convert: ChatGPTImport.conversation)
    }

    /// The elements of a top-level array, each checked as JSON: a file broken in the middle is
    /// refused before anything is written.
    private func checkedElements(of data: Data) async throws -> [Range<Int>] {
        let elements = try await ImportScan.ranges(in: data, pages: pages)
        try await ImportScan.validate(elements, in: data, pages: pages)
        return elements
    }

    /// Each conversation of a JSON array (its checked `elements`): decoded on its own from its
    /// bytes (by `decode`, `JSONDecoder` unless the format has a reader of its own), converted,
    /// written; one that cannot be read or followed is reported, and the others still arrive.
    private func importEach<Source: Decodable>(
        _ type: Source.Type, from data: Data, elements: [Range<Int>], userID: String, into report: inout ImportReport,
        decode: (Data) throws -> Lossy<Source> = { try JSONDecoder().decode(Lossy<Source>.self, from: $0) },
        convert: (Source, String, inout [String: Int]) throws -> ImportedConversation
    ) async throws {
        try await writing(userID: userID, into: &report) { writes, report in
            for range in elements {
                pages?.reading(at: range.upperBound)
                let entry = try decode(data.bytes(at: range))
                do {
                    let conversation = try convert(try entry.result.get(), userID, &report.messagesSkipped)
                    try await writes.add(conversation, sourceID: entry.sourceID, into: &report)
                } catch let error as MessageTree.Broken {
                    writes.skip(.init(sourceID: entry.sourceID, title: entry.title, reason: error.description))
                } catch let error as DecodingError {
                    writes.skip(.init(sourceID: entry.sourceID, title: entry.title, reason: Self.reason(error)))
                }
            }
        }
    }

    /// Runs `body`, which hands conversations to ``ImportWrites``, then waits for all of them and
    /// counts them into the report; if `body` throws, the writes already started are waited for first.
    private func writing(
        userID: String, into report: inout ImportReport, _ body: (inout ImportWrites, inout ImportReport) async throws -> Void
    ) async throws {
        var writes = ImportWrites(store: store, userID: userID, progress: progress)
        do {
            try await body(&writes, &report)
        } catch {
            await writes.abandon()
            throw error
        }
        try await writes.finish(into: &report)
    }

    // MARK: Reading JSON

    /// The format, from the file's shape, else `hint`; the error says what was found instead.
    package static func detect(_ data: Data, pages: MappedFile? = nil, hint: ImportFormat? = nil) async throws -> ImportFormat {
        let listHint = hint == .qlippy ? nil : hint
        if data.first(where: { !JSONArrayElements.isWhitespace($0) }) == UInt8(ascii: "[") {
            let elements = try await ImportScan.ranges(in: data, pages: pages)
            guard let first = elements.first else { return listHint ?? .chatgpt }
            let head = try decode(Shape.self, from: data.bytes(at: first))
            let keys: Set<String> = if case .object(let keys) = head { Set(keys) } else { [] }
            switch (keys.contains("mapping"), keys.contains("chat")) {
            case (true, false): return .chatgpt
            case (false, true): return .openwebui
            case (true, true): return listHint ?? .chatgpt
            case (false, false):
                if let listHint { return listHint }
                throw ImportError.unrecognised(found: "a JSON array of \(elements.count) items; the first is \(head.name)")
            }
        }
        let members = try await ImportScan.members(in: data, pages: pages)
        if let format = members.last(where: { $0.key == "format" }),
            (try? JSONDecoder().decode(String.self, from: data.bytes(at: format.value))) == ExportWriter.format
        {
            return .qlippy
        }
        if hint == .qlippy { return .qlippy }
        throw ImportError.unrecognised(
            found: "a JSON object with keys " + Set(members.map(\.key)).sorted().prefix(8).joined(separator: ", "))
    }

    package static func decode<Value: Decodable>(_ type: Value.Type, from data: Data) throws -> Value {
        do {
            return try JSONDecoder().decode(type, from: data)
        } catch DecodingError.dataCorrupted(let context) where context.codingPath.isEmpty {
            throw ImportError.notJSON(JSONSyntaxProblem.find(in: data)?.described(in: data) ?? context.debugDescription)
        } catch let error as DecodingError {
            // The document itself is not of the format's shape (its records decode on their own,
            // so their errors never come here): a format forced on another kind of file, or a
            // header field of the wrong type.
            switch error {
            case .typeMismatch(_, let context) where context.codingPath.isEmpty,
                .valueNotFound(_, let context) where context.codingPath.isEmpty:
                throw ImportError.unrecognised(found: (try? JSONDecoder().decode(Shape.self, from: data))?.name ?? "another shape")
            default:
                throw ImportError.unrecognised(found: reason(error))
            }
        }
    }

    /// Why a record could not be read, for the report: the field and what was wrong with it.
    package static func reason(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "\(error)" }
        switch error {
        case .keyNotFound(let key, _): return "missing field \(key.stringValue)"
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            let path = context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
            return path.isEmpty ? context.debugDescription : "\(path): \(context.debugDescription)"
        @unknown default: return "\(error)"
        }
    }
}

/// A JSON value read only far enough to describe it: which kind, and an object's keys.
package enum Shape: Decodable {
    case string(String)
    case object(keys: [String])
    case other(String)

    private struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    package init(from decoder: any Decoder) throws {
        if let object = try? decoder.container(keyedBy: AnyKey.self) {
            self = .object(keys: object.allKeys.map(\.stringValue).sorted())
        } else if (try? decoder.unkeyedContainer()) != nil {
            self = .other("an array")
        } else if let text = try? decoder.singleValueContainer().decode(String.self) {
            self = .string(text)
        } else {
            self = .other("a number, boolean or null")
        }
    }

    package var name: String {
        switch self {
        case .string: "a string"
        case .object(let keys): keys.isEmpty ? "an empty object" : "an object with keys " + keys.prefix(8).joined(separator: ", ")
        case .other(let name): name
        }
    }
}
