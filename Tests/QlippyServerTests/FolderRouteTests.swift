import Foundation
import HummingbirdTesting
import QlippyModel
import QlippyTestSupport
import Testing

/// Folders as a resource over the conversations' `folder` strings: list with counts, rename,
/// merge, delete to unfiled; names with `/`, spaces and Unicode in the path.
@Suite("Folders: list, rename, merge, delete")
struct FolderRouteTests {
    /// A name for the path: every byte but unreserved ones percent-encoded (`/` too).
    static func path(_ name: String) -> String {
        name.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? name
    }

    static func folders(_ client: some TestClientProtocol, _ user: String) async throws -> [[String: Any]] {
        let response = try await client.get("/api/users/\(user)/folders")
        #expect(response.status == .ok)
        return try response.json.array
    }

    @Test func listCountsEachFolderAndLeavesOutUnfiled() async throws {
        try await TestServer().run { client in
            let user = try await client.createUser()
            for folder in ["work", "Über/ℵ 2", "work", "a b"] {
                _ = try await client.createConversation(user: user, #"{"folder": "\#(folder)"}"#)
            }
            _ = try await client.createConversation(user: user, #"{"folder": ""}"#)
            let loose = try await client.createConversation(user: user)
            let newest = try await client.put(
                "/api/conversations/\(try await client.createConversation(user: user, #"{"folder": "work"}"#))", #"{"title": "bumped"}"#
            ).json
            let folders = try await Self.folders(client, user)
            #expect(folders.map { $0["name"] as? String } == ["a b", "work", "Über/ℵ 2"])
            #expect(folders.map { $0["conversation_count"] as? Int } == [1, 3, 1])
            #expect(folders[1]["last_updated"] as? String == newest.string("last_updated"))
            #expect(folders.allSatisfy { ($0 as [String: Any]).keys.sorted() == ["conversation_count", "last_updated", "name"] })
            #expect(try await client.get("/api/conversations/\(loose)").status == .ok)
        }
    }

    @Test func renameMovesEveryConversationAndKeepsTheirOrder() async throws {
        try await TestServer().run { client in
            let user = try await client.createUser()
            let first = try await client.createConversation(user: user, #"{"folder": "Über/ℵ 2"}"#)
            let second = try await client.createConversation(user: user, #"{"folder": "Über/ℵ 2"}"#)
            let before = try await client.get("/api/users/\(user)/conversations").json.array
            let renamed = try await client.put("/api/users/\(user)/folders/\(Self.path("Über/ℵ 2"))", #"{"name": "done / 完了"}"#)
            #expect(renamed.status == .ok)
            #expect(try renamed.json.string("name") == "done / 完了")
            #expect(try renamed.json.int("conversation_count") == 2)
            for id in [first, second] {
                #expect(try await client.get("/api/conversations/\(id)").json.string("folder") == "done / 完了")
            }
            let after = try await client.get("/api/users/\(user)/conversations").json.array
            #expect(after.map { $0["id"] as? String } == before.map { $0["id"] as? String })
            #expect(after.map { $0["last_updated"] as? String } == before.map { $0["last_updated"] as? String })
            #expect(try await Self.folders(client, user).map { $0["name"] as? String } == ["done / 完了"])
        }
    }

    @Test func renamingOntoAnExistingFolderMergesThem() async throws {
        try await TestServer().run { client in
            let user = try await client.createUser()
            _ = try await client.createConversation(user: user, #"{"folder": "old"}"#)
            _ = try await client.createConversation(user: user, #"{"folder": "new"}"#)
            _ = try await client.createConversation(user: user, #"{"folder": "new"}"#)
            let merged = try await client.put("/api/users/\(user)/folders/old", #"{"name": "new"}"#)
            #expect(merged.status == .ok)
            #expect(try merged.json.int("conversation_count") == 3)
            #expect(try await Self.folders(client, user).map { $0["name"] as? String } == ["new"])
        }
    }

    @Test func deleteLeavesTheConversationsUnfiled() async throws {
        let server = try TestServer()
        try await server.run { client in
            let user = try await client.createUser()
            let filed = try await client.createConversation(user: user, #"{"folder": "a/b c"}"#)
            _ = try await client.createConversation(user: user, #"{"folder": "keep"}"#)
            let deleted = try await client.delete("/api/users/\(user)/folders/\(Self.path("a/b c"))")
            #expect(deleted.status == .ok)
            #expect(try deleted.json.string("message") == "Folder deleted successfully")
            let conversation = try await client.get("/api/conversations/\(filed)").json
            #expect(conversation["folder"] is NSNull)
            #expect(try await Self.folders(client, user).map { $0["name"] as? String } == ["keep"])
            #expect(try await server.rowCounts()["conversations"] == 2)
        }
    }

    /// `GET /api/users/{id}/conversations?folder=NAME`: that folder's, newest first; an empty
    /// `folder=` means the ones without a folder (null or empty); no parameter, all of them.
    @Test func theListFiltersByFolder() async throws {
        try await TestServer().run { client in
            let user = try await client.createUser()
            let work = try await client.createConversation(user: user, #"{"folder": "work"}"#)
            let slash = try await client.createConversation(user: user, #"{"folder": "a/b c"}"#)
            let unfiled = try await client.createConversation(user: user)
            let empty = try await client.createConversation(user: user, #"{"folder": ""}"#)
            let newerWork = try await client.createConversation(user: user, #"{"folder": "work"}"#)
            let ids = { (query: String) in
                try await client.get("/api/users/\(user)/conversations\(query)").json.array.map { $0["id"] as? String }
            }
            #expect(try await ids("?folder=work") == [newerWork, work])
            #expect(try await ids("?folder=a%2Fb+c") == [slash])
            #expect(try await ids("?folder=") == [empty, unfiled])
            #expect(try await ids("?folder=nothing") == [])
            #expect(try await ids("").count == 5)
            let missing = try await client.get("/api/users/\(UUID().uuidString)/conversations?folder=work")
            #expect(missing.status == .notFound)
        }
    }

    @Test func unknownFoldersUsersAndBadBodiesAreClearErrors() async throws {
        let server = try TestServer()
        try await server.run { client in
            let user = try await client.createUser()
            let other = try await client.createUser("other")
            _ = try await client.createConversation(user: other, #"{"folder": "theirs"}"#)
            _ = try await client.createConversation(user: user, #"{"folder": "mine"}"#)
            for response in [
                try await client.put("/api/users/\(user)/folders/nothing", #"{"name": "x"}"#),
                try await client.delete("/api/users/\(user)/folders/nothing"),
                try await client.delete("/api/users/\(user)/folders/theirs"),
            ] {
                #expect(response.status == .notFound)
                #expect(response.errorMessage == "Folder not found")
            }
            let missing = UUID().uuidString.lowercased()
            #expect(try await client.get("/api/users/\(missing)/folders").errorMessage == "User not found")
            #expect(try await client.delete("/api/users/\(missing)/folders/mine").errorMessage == "User not found")
            for (body, message) in [
                (#"{}"#, "Folder name is required"), (#"{"name": ""}"#, "Folder name is required"),
                (#"{"name": 7}"#, "name must be a string"),
                (#"{"name": "\#(String(repeating: "é", count: 101))"}"#, "name must be at most 100 characters"),
            ] {
                let response = try await client.put("/api/users/\(user)/folders/mine", body)
                #expect(response.status == .badRequest)
                #expect(response.errorMessage == message)
            }
            #expect(
                try await client.delete("/api/users/\(user)/folders/%E0%A4").errorMessage
                    == "Folder name in the path is not valid percent-encoded UTF-8")
            #expect(try await Self.folders(client, user).map { $0["name"] as? String } == ["mine"])
            #expect(try await Self.folders(client, other).map { $0["name"] as? String } == ["theirs"])
        }
    }
}
