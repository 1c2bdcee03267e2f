import Foundation
import Hummingbird
import NIOCore
import NIOFoundationCompat
import QlippyStore

/// `GET /api/users/{user_id}/export` and `POST /api/users/{user_id}/import`: a user's whole
/// history out as one streamed JSON document, and back in from such a file.
struct TransferController {
    let store: any ChatStore
    /// Import bodies have their own limit (`--max-import-size`): a history is far bigger than a message.
    let maxImportSize: Int

    func register(on routes: RouteTable) {
        routes.on(.get, "/api/users/:user_id/export") { _, context in
            let export = try await ExportWriter(store: store, userID: try context.parameters.uuid("user_id"))
            let logger = context.logger
            let headers: HTTPFields = [
                .contentType: JSONWriter.contentType,
                .contentDisposition: #"attachment; filename="qlippy-export-\#(export.user.id).json""#,
            ]
            return Response(status: .ok, headers: headers, body: ResponseBody { writer in
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
        routes.on(.post, "/api/users/:user_id/import") { request, context in
            let userID = try context.parameters.uuid("user_id")
            let type = request.headers[.contentType].flatMap { MediaType(from: $0) }
            let report: ImportReport
            let format = try QueryParameters(request.uri.query)["format"].map { name throws(APIError) in
                guard let format = ImportFormat(rawValue: name) else {
                    throw APIError.invalidParameter("format", "one of " + ImportFormat.allCases.map(\.rawValue).joined(separator: ", "))
                }
                return format
            }
            if type?.isType(.applicationJson) == true {
                report = try await Importer(store: store).run(try await body(of: request), userID: userID, format: format)
            } else if type?.isType(.applicationZip) == true {
                report = try await importArchive(request, userID: userID)
            } else {
                throw APIError.importMediaType
            }
            context.logger.info("import done", metadata: [
                "format": "\(report.format.rawValue)", "conversations": "\(report.conversationsImported)", "messages": "\(report.messagesImported)",
                "already_present": "\(report.conversationsAlreadyPresent)", "skipped": "\(report.skipped.count)",
            ])
            return Response.json(.ok) { $0.write(report) }
        }
    }

    /// A JSON body, whole: the body's own bytes, not a copy (a history may be a gigabyte).
    private func body(of request: Request) async throws -> Data {
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: maxImportSize)
        } catch is NIOTooManyBytesError {
            throw APIError.importTooLarge(limit: maxImportSize)
        }
        return body.getData(at: body.readerIndex, length: body.readableBytes, byteTransferStrategy: .noCopy) ?? Data()
    }

    /// A ZIP body goes to a temporary file as it arrives (ZIP's index is at its end), and is read
    /// from there; all of its files together may unpack to four times the import limit.
    private func importArchive(_ request: Request, userID: String) async throws -> ImportReport {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("qlippy-import-\(UUID().uuidString).zip")
        defer { try? FileManager.default.removeItem(at: url) }
        guard FileManager.default.createFile(atPath: url.path, contents: nil) else { throw APIError.internalError }
        let handle = try FileHandle(forWritingTo: url)
        var size = 0
        do {
            for try await chunk in request.body {
                size += chunk.readableBytes
                guard size <= maxImportSize else { throw APIError.importTooLarge(limit: maxImportSize) }
                try handle.write(contentsOf: chunk.readableBytesView)
            }
            try handle.close()
        } catch {
            try? handle.close()
            throw error
        }
        let archive = try ExportArchive(url: url, fileLimit: maxImportSize, totalLimit: 4 * maxImportSize)
        return try await Importer(store: store).runArchive(archive, userID: userID)
    }
}
