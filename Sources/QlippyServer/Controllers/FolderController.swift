import Hummingbird
import QlippyModel
import QlippyStore

/// A user's folders: the conversations' `folder` strings as a resource (list, rename or merge,
/// delete to unfiled). Names in the path are percent-encoded; `/`, spaces and Unicode work.
struct FolderController {
    let store: any ChatResources
    let maxBodySize: Int

    func addRoutes(to routes: RouteGroups) {
        routes.ownChats.get("/api/users/:user_id/folders", use: list)
        routes.ownChats.put("/api/users/:user_id/folders/:name", use: rename)
        routes.ownChats.delete("/api/users/:user_id/folders/:name", use: delete)
    }

    /// `GET /api/users/{user_id}/folders`: the user's folders.
    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        let folders = try await store.folders(ofUser: try context.parameters.uuid("user_id"))
        return Response.json(.ok, capacity: 128 * max(folders.count, 1)) { $0.write(array: folders) { $0.write($1) } }
    }

    /// `PUT /api/users/{user_id}/folders/{name}`: renames the folder, or merges it into an existing one.
    @Sendable func rename(_ request: Request, context: AppRequestContext) async throws -> Response {
        let userID = try context.parameters.uuid("user_id")
        let name = try context.parameters.folderName("name")
        let input = try RenameFolderRequest(try await JSONBody.read(request, limit: maxBodySize))
        let folder = try await store.renameFolder(userID: userID, name: name, to: input.name)
        return Response.json(.ok) { $0.write(folder) }
    }

    /// `DELETE /api/users/{user_id}/folders/{name}`: the folder's conversations become unfiled.
    @Sendable func delete(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await store.deleteFolder(userID: try context.parameters.uuid("user_id"), name: try context.parameters.folderName("name"))
        return Response.json(.ok) { $0.writeConfirmation("Folder deleted successfully") }
    }
}
