import Hummingbird
import QlippyStore
import QlippyModel

/// A user's folders: the conversations' `folder` strings as a resource (list, rename or merge,
/// delete to unfiled). Names in the path are percent-encoded; `/`, spaces and Unicode work.
struct FolderController {
    let store: any ChatStore
    let maxBodySize: Int

    func register(on routes: RouteTable) {
        routes.on(.get, "/api/users/:user_id/folders") { _, context in
            let folders = try await store.folders(ofUser: try context.parameters.uuid("user_id"))
            return Response.json(.ok, capacity: 128 * max(folders.count, 1)) { $0.write(array: folders) { $0.write($1) } }
        }
        routes.on(.put, "/api/users/:user_id/folders/:name") { request, context in
            let userID = try context.parameters.uuid("user_id")
            let name = try context.parameters.folderName("name")
            let input = try RenameFolderRequest(try await JSONBody.read(request, limit: maxBodySize))
            let folder = try await store.renameFolder(userID: userID, name: name, to: input.name)
            return Response.json(.ok) { $0.write(folder) }
        }
        routes.on(.delete, "/api/users/:user_id/folders/:name") { _, context in
            try await store.deleteFolder(userID: try context.parameters.uuid("user_id"), name: try context.parameters.folderName("name"))
            return Response.json(.ok) { $0.writeConfirmation("Folder deleted successfully") }
        }
    }
}
