import Hummingbird
import QlippyModel
import QlippyStore

/// A user's plugins.
struct PluginController {
    let store: any ChatResources & ListPages
    let posts: IdempotentPosts
    let maxBodySize: Int

    func addRoutes(to routes: RouteGroups) {
        routes.ownChats.get("/api/users/:user_id/plugins", use: list)
        routes.ownChats.post("/api/users/:user_id/plugins", use: create)
        routes.ownChats.put("/api/plugins/:plugin_id", use: update)
        routes.ownChats.delete("/api/plugins/:plugin_id", use: delete)
    }

    /// `GET /api/users/{user_id}/plugins`: the user's plugins, whole or page by page.
    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        let userID = try context.parameters.uuid("user_id")
        let list = PageCursor.List.plugins(ofUser: userID)
        if let paging = try PageParameters(QueryParameters(request.uri.query), list: list) {
            let page = try await store.pluginPage(ofUser: userID, page: paging.page)
            return paging.response(page, list: list, request: request) { $0.write($1) }
        }
        let plugins = try await store.plugins(ofUser: userID)
        return Response.json(.ok) { $0.write(array: plugins) { $0.write($1) } }
    }

    /// `POST /api/users/{user_id}/plugins`: a new plugin for the user.
    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> Response {
        let userID = try context.parameters.uuid("user_id")
        let input = try CreatePluginRequest(try await JSONBody.read(request, limit: maxBodySize))
        return try await posts.respond(to: request, .plugin(userID: userID, plugin: input.plugin))
    }

    /// `PUT /api/plugins/{plugin_id}`: changes to the plugin.
    @Sendable func update(_ request: Request, context: AppRequestContext) async throws -> Response {
        let id = try context.parameters.uuid("plugin_id")
        let input = try UpdatePluginRequest(try await JSONBody.read(request, limit: maxBodySize))
        let plugin = try await store.updatePlugin(id: id, changes: input.changes)
        return Response.json(.ok) { $0.write(plugin) }
    }

    /// `DELETE /api/plugins/{plugin_id}`: deletes the plugin.
    @Sendable func delete(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await store.deletePlugin(id: try context.parameters.uuid("plugin_id"))
        return Response.json(.ok) { $0.writeConfirmation("Plugin deleted successfully") }
    }
}
