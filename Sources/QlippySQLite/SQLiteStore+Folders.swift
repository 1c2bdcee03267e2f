import Foundation
import GRDB
import QlippyModel
import QlippyStore

extension SQLiteStore {
    public func folders(ofUser userID: String) async throws -> [Folder] {
        try snapshot { connection in
            try connection.requireUser(id: userID)
            return Folder.sorted(try connection.fetchAll(Queries.foldersOfUser, [userID], Folder.init))
        }
    }

    public func renameFolder(userID: String, name: String, to newName: String) async throws -> Folder {
        try await writer.write { db in
            try Self.moveFolder(userID: userID, name: name, to: Self.text(newName), db)
            // Found among all of them, compared in Swift: a name is bound as a C string in a lookup.
            guard let folder = try db.fetchAll(Queries.foldersOfUser, [userID], Folder.init).first(where: { $0.name == newName }) else {
                throw StoreError.notFound(.folder)
            }
            return folder
        }
    }

    public func deleteFolder(userID: String, name: String) async throws {
        try await writer.write { db in try Self.moveFolder(userID: userID, name: name, to: nil, db) }
    }

    /// Sets `folder` to `destination` (UTF-8 bytes, or NULL) on every conversation of the user's
    /// folder `name`; "not found" when it has none. Names travel as bytes (``text(_:)``), so that
    /// one holding U+0000 is matched whole.
    private static func moveFolder(userID: String, name: String, to destination: Data?, _ db: Database) throws {
        try db.requireUser(id: userID)
        try execute(
            db, "UPDATE conversations SET folder = CAST(? AS TEXT) WHERE user_id = ? AND folder = CAST(? AS TEXT)",
            [destination, userID, text(name)]
        )
        guard db.changesCount > 0 else { throw StoreError.notFound(.folder) }
    }
}
