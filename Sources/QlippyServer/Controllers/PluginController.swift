import Hummingbird
import QlippyStore
import QlippyModel

/// A user's plugins.
struct PluginController {
    let store: any ChatStore
    let posts: IdempotentPosts
    let maxBodySize: Int

    func register(on routes: RouteTable) {
        routes.on(.get, "/api/users/:user_id/plugins") { request, context in
            let userID = try context.parameters.uuid("user_id")
            let list = PageCursor.List.plugins(ofUser: userID)
            if let paging = try PageParameters(QueryParameters(request.uri.query), list: list) {
                let page = try await store.pluginPage(ofUser: userID, page: paging.page)
                return paging.response(page, list: list, request: request) { $0.write($1) }
            }
            let plugins = try await store.plugins(ofUser: userID)
            return Response.json(.ok) { $0.write(array: plugins) { $0.write($1) } }
        }
        routes.on(.post, "/api/users/:user_id/plugins") { request, context in
            let userID = try context.parameters.uuid("user_id")
            let input = try CreatePluginRequest(try await JSONBody.read(request, limit: maxBodySize))
            return try await posts.respond(to: request, .plugin(userID: userID, plugin: input.plugin))
        }
        routes.on(.put, "/api/plugins/:plugin_id") { request, context in
            let id = try context.parameters.uuid("plugin_id")
            let input = try UpdatePluginRequest(try await JSONBody.read(request, limit: maxBodySize))
            let plugin = try await store.updatePlugin(id: id, changes: input.changes)
            return Response.json(.ok) { $0.write(plugin) }
        }
        routes.on(.delete, "/api/plugins/:plugin_id") { _, context in
            try await store.deletePlugin(id: try context.parameters.uuid("plugin_id"))
            return Response.json(.ok) { $0.writeConfirmation("Plugin deleted successfully") }
        }
    }
}
