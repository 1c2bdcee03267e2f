import Hummingbird
import QlippyStore

/// A user's plugins.
struct PluginController {
    let store: any ChatStore
    let maxBodySize: Int

    func register(on routes: RouteTable) {
        routes.on(.get, "/api/users/:user_id/plugins") { _, context in
            let plugins = try await store.plugins(ofUser: try context.parameters.uuid("user_id"))
            return Response.json(.ok) { $0.write(array: plugins) { $0.write($1) } }
        }
        routes.on(.post, "/api/users/:user_id/plugins") { request, context in
            let userID = try context.parameters.uuid("user_id")
            let input = try CreatePluginRequest(try await JSONBody.read(request, limit: maxBodySize))
            let plugin = try await store.createPlugin(userID: userID, plugin: input.plugin)
            return Response.json(.created) { $0.write(plugin) }
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
