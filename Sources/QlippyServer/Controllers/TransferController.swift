import Foundation
import Hummingbird
import NIOCore
import NIOFoundationCompat
import QlippyJSON
import QlippyModel
import QlippyStore
import QlippyTransfer

/// `GET /api/users/{user_id}/export` and `POST /api/users/{user_id}/import`: a user's whole
/// history out as one streamed JSON document, and back in from such a file.
struct TransferController {
    let store: any ChatResources & HistoryTransfer
    let posts: IdempotentPosts
    /// Import bodies have their own limit (`--max-import-size`): a history is far bigger than a message.
    let maxImportSize: Int
    let slots = ImportSlots(limit: Self.concurrentImports, capacity: Self.admittedImports)

    /// Imports that write at once; more wait, their bodies on disk. Two keep one import writing
    /// while the other decodes, as a core each, and leave the writer to the other routes between.
    static let concurrentImports = 2
    /// Imports taken in at once, writing, waiting or arriving: up to ten times `--max-import-size`
    /// of temporary files. One more is answered 503 with `Retry-After`.
    static let admittedImports = 10

    func addRoutes(to routes: RouteGroups) {
        routes.ownChats.get("/api/users/:user_id/export", use: exportHistory)
        routes.ownChats.post("/api/users/:user_id/import", use: importHistory)
    }

    /// `GET /api/users/{user_id}/export`: the user's history, streamed.
    @Sendable func exportHistory(_ request: Request, context: AppRequestContext) async throws -> Response {
        let export = try await ExportWriter(store: store, userID: try context.parameters.uuid("user_id"))
        let logger = context.logger
        let headers: HTTPFields = [
            .contentType: JSONWriter.contentType,
            .contentDisposition: #"attachment; filename="qlippy-export-\#(export.user.id).json""#,
        ]
        return Response(
            status: .ok, headers: headers,
            body: ResponseBody { writer in
                // The status is sent: a failure now can only cut the document short (and be logged).
                do {
                    let count = try await export.write { bytes in try await writer.write(ByteBuffer(bytes: bytes)) }
                    logger.info("export written", metadata: ["conversations": "\(count)"])
                } catch {
                    logger.error("export cut short: \(error)")
                    throw error
                }
                try await writer.finish(nil)
            })
    }

    /// `POST /api/users/{user_id}/import`: a JSON export (Qlippy's, ChatGPT's or Open WebUI's) or a ZIP archive.
    @Sendable func importHistory(_ request: Request, context: AppRequestContext) async throws -> Response {
        let userID = try context.parameters.uuid("user_id")
        let type = request.headers[.contentType].flatMap { MediaType(from: $0) }
        let format = try QueryParameters(request.uri.query)["format"].map { name throws(APIError) in
            guard let format = ImportFormat(rawValue: name) else {
                throw APIError.invalidParameter("format", "one of " + ImportFormat.allCases.map(\.rawValue).joined(separator: ", "))
            }
            return format
        }
        if type?.isType(.applicationJson) == true {
            return try await receive(request, as: "json") { url, bodyHash in
                try await posts.respond(to: request, scope: userID, fingerprint: "json|\(format?.rawValue ?? "")|\(bodyHash)") {
                    let file = try MappedFile(url: url)
                    return Self.reply(try await Importer(store: store).run(file, userID: userID, format: format), context)
                }
            }
        } else if type?.isType(.applicationZip) == true {
            return try await receive(request, as: "zip") { url, bodyHash in
                try await posts.respond(to: request, scope: userID, fingerprint: "zip|\(bodyHash)") {
                    let archive = try ExportArchive(url: url, fileLimit: maxImportSize, totalLimit: 4 * maxImportSize)
                    return Self.reply(try await Importer(store: store).runArchive(archive, userID: userID), context)
                }
            }
        } else {
            throw APIError.importMediaType
        }
    }

    private static func reply(_ report: ImportReport, _ context: AppRequestContext) -> StoredReply {
        context.logger.info(
            "import done",
            metadata: [
                "format": "\(report.format.rawValue)", "conversations": "\(report.conversationsImported)",
                "messages": "\(report.messagesImported)",
                "already_present": "\(report.conversationsAlreadyPresent)", "skipped": "\(report.skipped.count)",
            ])
        return StoredReply.json(.ok) { $0.write(report) }
    }

    /// An import, if one more can be taken in (``ImportSlots``): its body is received, then read.
    private func receive(_ request: Request, as suffix: String, _ read: @escaping @Sendable (URL, String) async throws -> Response)
        async throws -> Response
    {
        try await slots.admitting { try await stream(request, as: suffix, read) }
    }

    /// An import's body goes to a temporary file as it arrives (a JSON file is then mapped, not
    /// held in memory; a ZIP's index is at its end), for `read` to import from once a slot is
    /// free (``ImportSlots``); hashed on the way when it comes with an `Idempotency-Key` (its
    /// fingerprint, in hexadecimal: a repeat must send the same bytes), empty otherwise. All of an
    /// archive's files together may unpack to four times the import limit.
    private func stream(_ request: Request, as suffix: String, _ read: @escaping @Sendable (URL, String) async throws -> Response)
        async throws -> Response
    {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("qlippy-import-\(UUID().uuidString).\(suffix)")
        defer { try? FileManager.default.removeItem(at: url) }
        guard FileManager.default.createFile(atPath: url.path, contents: nil) else { throw APIError.internalError }
        let handle = try FileHandle(forWritingTo: url)
        var size = 0
        var hash = request.headers[.idempotencyKey] == nil ? nil : FNV1a()
        do {
            for try await chunk in request.body {
                size += chunk.readableBytes
                guard size <= maxImportSize else { throw APIError.importTooLarge(limit: maxImportSize) }
                chunk.withUnsafeReadableBytes { hash?.combine($0) }
                try handle.write(contentsOf: chunk.readableBytesView)
            }
            try handle.close()
        } catch {
            try? handle.close()
            throw error
        }
        let bodyHash = hash.map { String($0.value, radix: 16) } ?? ""
        return try await slots.holding { try await read(url, bodyHash) }
    }
}
