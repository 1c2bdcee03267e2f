import Foundation
import Hummingbird

/// `GET /api/openapi.json`: the OpenAPI 3.1 document of this server, as it runs.
///
/// The document is `Resources/openapi.json`, embedded in the binary at build time (so a copied
/// executable serves it without a resource folder beside it), cut at start to the auth mode
/// (``document(for:)``). A test holds each mode's document to that mode's routes.
struct OpenAPIController {
    let document: ByteBuffer

    init(mode: AuthMode, backups: Bool, shareLinks: ShareLinkPolicy) {
        document = Self.document(for: mode, backups: backups, shareLinks: shareLinks)
    }

    func addRoutes(to routes: RouteGroups) {
        routes.open.get("/api/openapi.json", use: serve)
    }

    /// `GET /api/openapi.json`.
    @Sendable func serve(_ request: Request, context: AppRequestContext) async throws -> Response {
        Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: document))
    }

    /// The embedded document for `mode`: parts marked `"x-qlippy-auth": [modes]` only in those
    /// modes (the account routes, the stream ticket), `"x-qlippy-accounts-required"` names added
    /// to a schema's `required` in accounts mode, and no security requirement at all in `none`
    /// mode, so that a client or fuzzer reading the document sends what the server asks. Without
    /// `backups` (a store that cannot copy itself, PostgreSQL) the backup route is left out too.
    /// The share routes (`"x-qlippy-share-links"`) are left out under `--share-links off`, and their
    /// readers (`"x-qlippy-share-readers"`) ask for the mode's credential under `accounts`.
    static func document(for mode: AuthMode, backups: Bool = true, shareLinks: ShareLinkPolicy = .public) -> ByteBuffer {
        guard var document = try? JSONSerialization.jsonObject(with: Data(PackageResources.openapi_json)) as? [String: Any] else {
            preconditionFailure("Resources/openapi.json is not a JSON object")
        }
        document = cut(document, to: mode) as? [String: Any] ?? document
        document["paths"] = (document["paths"] as? [String: [String: Any]])?.filter { path, item in
            !item.isEmpty && (backups || path != AdminController.backupPath)
                && (shareLinks != .off || item["x-qlippy-share-links"] == nil)
        }.mapValues { item in Self.sharing(item, shareLinks) }
        if mode == .none {
            document["security"] = nil
            if var components = document["components"] as? [String: Any] {
                components["securitySchemes"] = nil
                document["components"] = components
            }
        }
        let data = (try? JSONSerialization.data(withJSONObject: document, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return ByteBuffer(bytes: data)
    }

    /// A path item without its share markers; a reader's own open security gone under `accounts`.
    private static func sharing(_ item: [String: Any], _ shareLinks: ShareLinkPolicy) -> [String: Any] {
        var item = item
        item["x-qlippy-share-links"] = nil
        for (method, operation) in item {
            guard var operation = operation as? [String: Any], operation.removeValue(forKey: "x-qlippy-share-readers") != nil else {
                continue
            }
            if shareLinks == .accounts { operation["security"] = nil }
            item[method] = operation
        }
        return item
    }

    private static func cut(_ node: Any, to mode: AuthMode) -> Any? {
        switch node {
        case var object as [String: Any]:
            if let modes = object["x-qlippy-auth"] as? [String] {
                guard modes.contains(mode.rawValue) else { return nil }
                object["x-qlippy-auth"] = nil
            }
            if let names = object.removeValue(forKey: "x-qlippy-accounts-required") as? [String], mode == .accounts {
                object["required"] = (object["required"] as? [String] ?? []) + names
            }
            if mode == .none { object["security"] = nil }
            return object.compactMapValues { cut($0, to: mode) }
        case let array as [Any]:
            return array.compactMap { cut($0, to: mode) }
        default:
            return node
        }
    }
}
