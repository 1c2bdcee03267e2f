import Hummingbird
import QlippyStore
import QlippyModel

/// Adding, editing and deleting messages.
struct MessageController {
    let store: any ChatStore
    let posts: IdempotentPosts
    let maxBodySize: Int

    func register(on routes: RouteTable) {
        // Beyond the original: a conversation's messages alone, whole or page by page.
        routes.on(.get, "/api/conversations/:conversation_id/messages") { request, context in
            let conversationID = try context.parameters.uuid("conversation_id")
            let list = PageCursor.List.messages(ofConversation: conversationID)
            if let paging = try PageParameters(QueryParameters(request.uri.query), list: list) {
                let page = try await store.messagePage(ofConversation: conversationID, page: paging.page)
                return paging.response(page, list: list, request: request) { $0.write($1) }
            }
            let messages = try await store.conversation(id: conversationID).messages
            return Response.json(.ok, capacity: messages.reduce(256) { $0 + $1.content.utf8.count + 200 }) { $0.write(array: messages) { $0.write($1) } }
        }
        routes.on(.post, "/api/conversations/:conversation_id/messages") { request, context in
            let conversationID = try context.parameters.uuid("conversation_id")
            let input = try CreateMessageRequest(try await JSONBody.read(request, limit: maxBodySize))
            return try await posts.respond(to: request, .message(conversationID: conversationID, role: input.role, content: input.content))
        }
        routes.on(.put, "/api/messages/:message_id") { request, context in
            let id = try context.parameters.uuid("message_id")
            let input = try UpdateMessageRequest(try await JSONBody.read(request, limit: maxBodySize))
            let message = try await store.updateMessage(id: id, content: input.content)
            return Response.json(.ok) { $0.write(message) }
        }
        routes.on(.delete, "/api/messages/:message_id") { _, context in
            try await store.deleteMessage(id: try context.parameters.uuid("message_id"))
            return Response.json(.ok) { $0.writeConfirmation("Message deleted successfully") }
        }
    }
}
