import Hummingbird
import QlippyModel
import QlippyStore

/// Adding, editing and deleting messages.
struct MessageController {
    let store: any ChatResources & ListPages
    let posts: IdempotentPosts
    let maxBodySize: Int

    func addRoutes(to routes: RouteGroups) {
        routes.ownChats.get("/api/conversations/:conversation_id/messages", use: list)
        routes.ownChats.post("/api/conversations/:conversation_id/messages", use: create)
        routes.ownChats.put("/api/messages/:message_id", use: update)
        routes.ownChats.delete("/api/messages/:message_id", use: delete)
    }

    /// `GET /api/conversations/{conversation_id}/messages`.
    /// Beyond the original: a conversation's current branch (or every message, `?branches=all`)
    /// alone, whole or page by page.
    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        let conversationID = try context.parameters.uuid("conversation_id")
        let parameters = QueryParameters(request.uri.query)
        let branches = try BranchParameters.selection(parameters)
        let list = PageCursor.List.messages(ofConversation: conversationID)
        if let paging = try PageParameters(parameters, list: list) {
            let page = try await store.messagePage(ofConversation: conversationID, page: paging.page, branches: branches)
            return paging.response(page, list: list, request: request) { $0.write($1) }
        }
        let messages = try await store.conversation(id: conversationID, branches: branches).messages
        return Response.json(.ok, capacity: messages.reduce(256) { $0 + $1.content.utf8.count + 200 }) {
            $0.write(array: messages) { $0.write($1) }
        }
    }

    /// `POST /api/conversations/{conversation_id}/messages`: a new message in the conversation.
    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> Response {
        let conversationID = try context.parameters.uuid("conversation_id")
        let input = try CreateMessageRequest(try await JSONBody.read(request, limit: maxBodySize))
        return try await posts.respond(
            to: request,
            .message(conversationID: conversationID, role: input.role, content: input.content, details: input.details, parent: input.parent)
        )
    }

    /// `PUT /api/messages/{message_id}`: new content for the message.
    @Sendable func update(_ request: Request, context: AppRequestContext) async throws -> Response {
        let id = try context.parameters.uuid("message_id")
        let input = try UpdateMessageRequest(try await JSONBody.read(request, limit: maxBodySize))
        let message = try await store.updateMessage(id: id, content: input.content, details: input.details)
        return Response.json(.ok) { $0.write(message) }
    }

    /// `DELETE /api/messages/{message_id}`: deletes the message (its replies move up to its
    /// parent), or the message with everything under it (`?with_replies=true`).
    @Sendable func delete(_ request: Request, context: AppRequestContext) async throws -> Response {
        let withReplies = try BranchParameters.withReplies(QueryParameters(request.uri.query))
        try await store.deleteMessage(id: try context.parameters.uuid("message_id"), withReplies: withReplies)
        return Response.json(.ok) { $0.writeConfirmation("Message deleted successfully") }
    }
}
