import Hummingbird
import QlippyModel
import QlippyStore

/// A user's tags: the conversations' tags as a resource (list, rename or merge, delete), as
/// ``FolderController`` does for folders. Names in the path are percent-encoded and matched
/// case-insensitively (``ConversationMarks/tagKey(_:)``).
struct TagController {
    let store: any ChatResources
    let maxBodySize: Int

    func addRoutes(to routes: RouteGroups) {
        routes.ownChats.get("/api/users/:user_id/tags", use: list)
        routes.ownChats.put("/api/users/:user_id/tags/:name", use: rename)
        routes.ownChats.delete("/api/users/:user_id/tags/:name", use: delete)
    }

    /// `GET /api/users/{user_id}/tags`: the user's tags.
    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        let tags = try await store.tags(ofUser: try context.parameters.uuid("user_id"))
        return Response.json(.ok, capacity: 64 * max(tags.count, 1)) { $0.write(array: tags) { $0.write($1) } }
    }

    /// `PUT /api/users/{user_id}/tags/{name}`: renames the tag, or merges it into an existing one.
    @Sendable func rename(_ request: Request, context: AppRequestContext) async throws -> Response {
        let userID = try context.parameters.uuid("user_id")
        let name = try context.parameters.tagName("name")
        let input = try RenameTagRequest(try await JSONBody.read(request, limit: maxBodySize))
        let tag = try await store.renameTag(userID: userID, name: name, to: input.name)
        return Response.json(.ok) { $0.write(tag) }
    }

    /// `DELETE /api/users/{user_id}/tags/{name}`: takes the tag off its conversations.
    @Sendable func delete(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await store.deleteTag(userID: try context.parameters.uuid("user_id"), name: try context.parameters.tagName("name"))
        return Response.json(.ok) { $0.writeConfirmation("Tag deleted successfully") }
    }
}
