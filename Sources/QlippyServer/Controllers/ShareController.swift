import Hummingbird
import QlippyJSON
import QlippyModel
import QlippyStore

/// Share links: a read-only snapshot of a conversation's current branch, made and revoked by its
/// owner, read by anyone with the link (or, with `--share-links accounts`, anyone signed in) as
/// JSON or as a small HTML page.
struct ShareController {
    let store: any ShareLinks
    /// `https` when the server speaks TLS: the scheme of the links it hands out.
    let scheme: String

    /// The owner's routes go with their chats; the reading routes with `readers`, the group
    /// `--share-links` names.
    func addRoutes(to routes: RouteGroups, readers: RouterGroup<AppRequestContext>) {
        routes.ownChats.post("/api/conversations/:conversation_id/share", use: share)
        routes.ownChats.delete("/api/conversations/:conversation_id/share", use: unshare)
        routes.ownChats.get("/api/users/:user_id/shares", use: list)
        readers.get("/api/shared/:share_id", use: read)
        readers.get("/shared/:share_id", use: page)
    }

    /// `POST /api/conversations/{conversation_id}/share`: a new link (201), or the link's snapshot
    /// taken again (200).
    @Sendable func share(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (link, created) = try await store.share(conversationID: try context.parameters.uuid("conversation_id"), newID: ShareID.make())
        return Response.json(created ? .created : .ok) { $0.write(link, url: url(of: link, request), listed: false) }
    }

    /// `DELETE /api/conversations/{conversation_id}/share`: revokes the link.
    @Sendable func unshare(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await store.unshare(conversationID: try context.parameters.uuid("conversation_id"))
        return Response.json(.ok) { $0.writeConfirmation("Share link deleted successfully") }
    }

    /// `GET /api/users/{user_id}/shares`: the user's links, newest first.
    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        let links = try await store.shareLinks(ofUser: try context.parameters.uuid("user_id"))
        return Response.json(.ok, capacity: 256 * max(links.count, 1)) { json in
            json.write(array: links) { $0.write($1, url: url(of: $1, request), listed: true) }
        }
    }

    /// `GET /api/shared/{share_id}`: the snapshot as JSON.
    @Sendable func read(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (shared, link) = try await store.sharedConversation(shareID: try ShareID.parameter(context.parameters))
        return Response.json(.ok, capacity: 512 + shared.messages.reduce(0) { $0 + $1.content.utf8.count + 128 }) {
            $0.write(shared, link: link)
        }
    }

    /// `GET /shared/{share_id}`: the snapshot as a page (``SharePage``).
    @Sendable func page(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (shared, link) = try await store.sharedConversation(shareID: try ShareID.parameter(context.parameters))
        return SharePage.response(shared, link: link)
    }

    /// Where the link is read: on the host the request came to (``AllowedHosts`` has vetted it).
    private func url(of link: ShareLink, _ request: Request) -> String {
        "\(scheme)://\(request.head.authority ?? "127.0.0.1")/shared/\(link.id)"
    }
}

/// Share ids: 16 random bytes (128 bits, from the system's secure generator) as 22 characters of
/// base64url. An id that cannot be one answers as an unknown one.
enum ShareID {
    static func make() -> String {
        var generator = SystemRandomNumberGenerator()
        return Base64URL.encode(bytes: (0..<16).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
    }

    static func parameter(_ parameters: Parameters) throws -> String {
        guard let id = parameters.get("share_id"), id.utf8.count == 22,
            id.utf8.allSatisfy({ $0.isBase64URL })
        else { throw StoreError.notFound(.share) }
        return id
    }
}

extension UInt8 {
    fileprivate var isBase64URL: Bool {
        (0x30...0x39).contains(self) || (0x41...0x5A).contains(self) || (0x61...0x7A).contains(self) || self == 0x2D || self == 0x5F
    }
}
