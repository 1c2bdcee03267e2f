import ArgumentParser
import Foundation
import Logging
import QlippyModel
import QlippyServer
import QlippyStore
import QlippyTransfer

/// `qlippy-server export --user NAME [--output FILE]`: a user's history in our export format.
struct Export: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a user's whole history (our export format, as GET /api/users/{id}/export) to a file or stdout.",
        discussion: "Read page by page: memory stays flat whatever the history's size. Safe while a server uses the database."
    )

    @Option(help: "The user's username.")
    var user: String

    @Option(help: "Where to write the export; stdout by default.")
    var output: String?

    @Option(help: "The database: a SQLite file or a postgres:// URL. (env: QLIPPY_DATABASE, default: ./qlippy.db)")
    var database: String?

    func run() async throws {
        try await oneLineErrors {
            let store = try await openCommandStore(database)
            let export = try await ExportWriter(store: store, userID: try await store.user(username: user).id)
            let out =
                try output.map { path in
                    guard FileManager.default.createFile(atPath: path, contents: nil) else {
                        throw CommandFailure(description: "cannot write \(path)")
                    }
                    return try FileHandle(forWritingTo: URL(fileURLWithPath: path))
                } ?? FileHandle.standardOutput
            var bytes = 0
            let count = try await export.write { chunk in
                try out.write(contentsOf: chunk)
                bytes += chunk.count
                progressLine("export: \(bytes / 1_000_000) MB written")
            }
            try out.close()
            try await store.close()
            FileHandle.standardError.write(Data("export: \(count) conversations of \(user), \(bytes) bytes\n".utf8))
        }
    }
}

/// `qlippy-server import --user NAME PATH`: a history file, ChatGPT archive or folder into a user's.
struct Import: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Import a history into a user's: our export (.json), ChatGPT's conversations.json, its export .zip, or the extracted folder.",
        discussion:
            "Creates the user when missing. Each conversation is written in a transaction of its own; importing the same file again adds nothing."
    )

    @Option(help: "The user's username; created if missing.")
    var user: String

    @Argument(help: "A .json file, a ChatGPT export .zip, or a folder holding conversations.json / conversations-NNN.json.")
    var path: String

    @Option(help: "The database: a SQLite file or a postgres:// URL. (env: QLIPPY_DATABASE, default: ./qlippy.db)")
    var database: String?

    @Option(help: "The file's format, when its content should not decide: qlippy-export, chatgpt or openwebui.")
    var format: String?

    @Option(help: "Largest import file, in bytes. (env: QLIPPY_MAX_IMPORT_SIZE, default: 1073741824)")
    var maxImportSize: Int = ServerSettings().maxImportSize

    func run() async throws {
        try await oneLineErrors {
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
                throw CommandFailure(description: "\(path) does not exist")
            }
            let store = try await openCommandStore(database)
            let userID: String
            do {
                userID = try await store.user(username: user).id
            } catch StoreError.notFound {
                userID = try await store.createUser(username: user).id
                print("import: created user \(user) (\(userID))")
            }
            let importer = Importer(store: store) { report in
                progressLine(
                    "import: files \(report.filesRead), \(report.conversationsImported) conversations, \(report.messagesImported) messages")
            }
            let url = URL(fileURLWithPath: path)
            let report: ImportReport
            if isFolder.boolValue {
                report = try await importer.runFolder(url, userID: userID)
            } else if url.pathExtension.lowercased() == "zip" {
                report = try await importer.runArchive(
                    ExportArchive(url: url, fileLimit: maxImportSize, totalLimit: 4 * maxImportSize), userID: userID)
            } else {
                let size = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
                guard size <= maxImportSize else {
                    throw CommandFailure(description: "\(path) is larger than the limit of \(maxImportSize) bytes (--max-import-size)")
                }
                let forced = try format.map { name in
                    guard let format = ImportFormat(rawValue: name) else {
                        throw CommandFailure(description: "--format must be qlippy-export, chatgpt or openwebui")
                    }
                    return format
                }
                report = try await importer.run(try MappedFile(url: url), userID: userID, format: forced)
            }
            try await store.close()
            printReport(report)
        }
    }

    private func printReport(_ report: ImportReport) {
        print("import: format \(report.format.rawValue); files read: \(report.filesRead)")
        print(
            "import: \(report.conversationsImported) conversations and \(report.messagesImported) messages imported; "
                + "\(report.conversationsAlreadyPresent) conversations already present")
        if report.pluginsImported + report.pluginsAlreadyPresent > 0 {
            print("import: \(report.pluginsImported) plugins imported, \(report.pluginsAlreadyPresent) already present")
        }
        if !report.messagesSkipped.isEmpty {
            print(
                "import: messages left out: "
                    + report.messagesSkipped.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        }
        for skipped in report.skipped {
            print("import: skipped \(skipped.sourceID) \"\(skipped.title)\": \(skipped.reason)")
        }
    }
}

/// The store a command works on (``commandDatabase(_:)``).
/// A progress line that rewrites itself, when stderr is a terminal (never into a log file).
private func progressLine(_ text: String) {
    guard isatty(STDERR_FILENO) == 1 else { return }
    FileHandle.standardError.write(Data("\r\u{1B}[K\(text)".utf8))
}
