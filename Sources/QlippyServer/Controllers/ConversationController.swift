import Hummingbird
import QlippyJSON
import QlippyModel
import QlippyStore

/// A user's conversations, and one conversation with its messages.
struct ConversationController {
    let store: any ChatResources & ListPages
    let posts: IdempotentPosts
    let maxBodySize: Int
    /// How long a temporary chat lives (`--temporary-retention`).
    let temporaryRetention: Duration

    func addRoutes(to routes: RouteGroups) {
        routes.ownChats.get("/api/users/:user_id/conversations", use: list)
        routes.ownChats.post("/api/users/:user_id/conversations", use: create)
        routes.ownChats.get("/api/conversations/:conversation_id", use: get)
        routes.ownChats.put("/api/conversations/:conversation_id", use: update)
        routes.ownChats.delete("/api/conversations/:conversation_id", use: delete)
    }

    /// `GET /api/users/{user_id}/conversations`: the user's conversations (those the filter
    /// parameters choose, ``ConversationFilterParameters``), whole or page by page.
    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        let userID = try context.parameters.uuid("user_id")
        let parameters = QueryParameters(request.uri.query)
        let filter = try ConversationFilterParameters.filter(parameters)
        let list = PageCursor.List.conversations(ofUser: userID, filter: filter)
        if let paging = try PageParameters(parameters, list: list) {
            let walked = try await store.conversationPage(
                ofUser: userID, filter: filter, previewLength: JSONWriter.listPreviewLength, page: paging.page,
                walkStart: try paging.continuedWalk()?.walkStart
            )
            return paging.response(walked.page, walkStart: walked.walkStart, list: list, request: request) { $0.write($1) }
        }
        let summaries = try await store.conversations(ofUser: userID, filter: filter, previewLength: JSONWriter.listPreviewLength)
        return Response.json(.ok, capacity: 512 * max(summaries.count, 1)) { $0.write(array: summaries) { $0.write($1) } }
    }

    /// `POST /api/users/{user_id}/conversations`: a new conversation, temporary when asked.
    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> Response {
        let userID = try context.parameters.uuid("user_id")
        let input = try CreateConversationRequest(
            try await JSONBody.read(request, limit: maxBodySize), temporaryRetention: temporaryRetention)
        return try await posts.respond(
            to: request, .conversation(userID: userID, title: input.title, folder: input.folder, expiry: input.expiry))
    }

    /// `GET /api/conversations/{conversation_id}`: one conversation with its current branch, or
    /// with every message (`?branches=all`).
    @Sendable func get(_ request: Request, context: AppRequestContext) async throws -> Response {
        let id = try context.parameters.uuid("conversation_id")
        let detail = try await store.conversation(id: id, branches: try BranchParameters.selection(QueryParameters(request.uri.query)))
        return Response.json(.ok, capacity: 512 + detail.messages.reduce(0) { $0 + $1.content.utf8.count + 200 }) { $0.write(detail) }
    }

    /// `PUT /api/conversations/{conversation_id}`: a new title or folder, another branch, or new marks.
    @Sendable func update(_ request: Request, context: AppRequestContext) async throws -> Response {
        let id = try context.parameters.uuid("conversation_id")
        let input = try UpdateConversationRequest(try await JSONBody.read(request, limit: maxBodySize))
        let conversation = try await store.updateConversation(id: id, changes: input.changes)
        return Response.json(.ok) { $0.write(conversation) }
    }

    /// `DELETE /api/conversations/{conversation_id}`: deletes the conversation.
    @Sendable func delete(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await store.deleteConversation(id: try context.parameters.uuid("conversation_id"))
        return Response.json(.ok) { $0.writeConfirmation("Conversation deleted successfully") }
    }
}
