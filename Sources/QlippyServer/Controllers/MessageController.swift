import Hummingbird
import QlippyStore

/// Adding, editing and deleting messages.
struct MessageController {
    let store: any ChatStore
    let maxBodySize: Int

    func register(on routes: RouteTable) {
        routes.on(.post, "/api/conversations/:conversation_id/messages") { request, context in
            let conversationID = try context.parameters.uuid("conversation_id")
            let input = try CreateMessageRequest(try await JSONBody.read(request, limit: maxBodySize))
            let message = try await store.addMessage(conversationID: conversationID, role: input.role, content: input.content)
            return Response.json(.created) { $0.write(message) }
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
