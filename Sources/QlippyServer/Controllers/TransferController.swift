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
                .contentType: "application/json; charset=utf-8",
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
            guard let type = request.headers[.contentType], MediaType(from: type)?.isType(.applicationJson) == true else {
                throw APIError.importMediaType
            }
            let body: ByteBuffer
            do {
                body = try await request.body.collect(upTo: maxImportSize)
            } catch is NIOTooManyBytesError {
                throw APIError.importTooLarge(limit: maxImportSize)
            }
            // The body's own bytes, not a copy: a history may be a gigabyte.
            let data = body.getData(at: body.readerIndex, length: body.readableBytes, byteTransferStrategy: .noCopy) ?? Data()
            let report = try await Importer(store: store).run(data, userID: userID)
            context.logger.info("import done", metadata: [
                "format": "\(report.format.rawValue)", "conversations": "\(report.conversationsImported)", "messages": "\(report.messagesImported)",
                "already_present": "\(report.conversationsAlreadyPresent)", "skipped": "\(report.skipped.count)",
            ])
            return Response.json(.ok) { $0.write(report) }
        }
    }
}
