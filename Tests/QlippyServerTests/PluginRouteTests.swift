import Foundation
import HummingbirdTesting
import QlippyModel
import QlippyTestSupport
import Testing

@Suite("Plugins: list, create, update, delete")
struct PluginRouteTests {
    @Test func createUsesTheDefaults() async throws {
        try await TestServer().run { client in
            let user = try await client.createUser()
            let response = try await client.post("/api/users/\(user)/plugins", #"{"name": "Calculator"}"#)
            #expect(response.status == .created)
            let plugin = try response.json
            #expect(plugin.string("name") == "Calculator")
            #expect(plugin.string("description") == "")
            #expect(plugin["enabled"] as? Bool == true)
            #expect(plugin.string("user_id") == user)
            #expect(matches(plugin["id"], uuidPattern))
            #expect(matches(plugin["created_at"], wireTimestampPattern))
            #expect(plugin.object.keys.sorted() == ["created_at", "description", "enabled", "id", "name", "user_id"])
        }
    }

    @Test func listIsOldestFirst() async throws {
        try await TestServer().run { client in
            let user = try await client.createUser()
            for name in ["b", "a", "c"] {
                #expect(
                    try await client.post("/api/users/\(user)/plugins", #"{"name": "\#(name)", "enabled": false, "description": "d"}"#)
                        .status == .created)
            }
            let response = try await client.get("/api/users/\(user)/plugins")
            #expect(response.status == .ok)
            let plugins = try response.json.array
            #expect(plugins.map { $0["name"] as? String } == ["b", "a", "c"])
            #expect(plugins.allSatisfy { $0["enabled"] as? Bool == false && $0["description"] as? String == "d" })
        }
    }

    @Test(arguments: [
        (#"{}"#, "Plugin name is required"),
        (#"{"name": ""}"#, "Plugin name is required"),
        (#"{"name": "x", "enabled": "yes"}"#, "enabled must be a boolean"),
        (#"{"name": "x", "enabled": 1}"#, "enabled must be a boolean"),
        (#"{"name": "x", "description": null}"#, "description must be a string"),
    ])
    func createRefusesBadBodies(body: String, message: String) async throws {
        let server = try TestServer()
        try await server.run { client in
            let user = try await client.createUser()
            let response = try await client.post("/api/users/\(user)/plugins", body)
            #expect(response.status == .badRequest)
            #expect(response.errorMessage == message)
        }
        #expect(try await server.rowCounts()["plugins"] == 0)
    }

    @Test func createAndListForAnUnknownUserAre404() async throws {
        try await TestServer().run { client in
            let missing = UUID().uuidString.lowercased()
            let created = try await client.post("/api/users/\(missing)/plugins", #"{"name": "x"}"#)
            #expect(created.status == .notFound)
            #expect(created.errorMessage == "User not found")
            let listed = try await client.get("/api/users/\(missing)/plugins")
            #expect(listed.status == .notFound)
            #expect(listed.errorMessage == "User not found")
        }
    }

    @Test func updateChangesOnlyThePresentKeys() async throws {
        try await TestServer().run { client in
            let user = try await client.createUser()
            let created = try await client.post("/api/users/\(user)/plugins", #"{"name": "Web", "description": "Searches"}"#).json
            let id = try #require(created.string("id"))
            let disabled = try await client.put("/api/plugins/\(id)", #"{"enabled": false}"#)
            #expect(disabled.status == .ok)
            #expect(try disabled.json["enabled"] as? Bool == false)
            #expect(try disabled.json.string("name") == "Web")
            #expect(try disabled.json.string("description") == "Searches")
            let renamed = try await client.put("/api/plugins/\(id)", #"{"name": "Web search", "description": ""}"#).json
            #expect(renamed.string("name") == "Web search")
            #expect(renamed.string("description") == "")
            #expect(renamed["enabled"] as? Bool == false)
            #expect(renamed.string("created_at") == created.string("created_at"))
        }
    }

    @Test(arguments: [
        (#"{"enabled": null}"#, "enabled must be a boolean"),
        (#"{"name": ""}"#, "name must not be empty"),
        (#"{"name": 3}"#, "name must be a string"),
    ])
    func updateRefusesBadFields(body: String, message: String) async throws {
        try await TestServer().run { client in
            let user = try await client.createUser()
            let id = try #require(try await client.post("/api/users/\(user)/plugins", #"{"name": "kept"}"#).json.string("id"))
            let response = try await client.put("/api/plugins/\(id)", body)
            #expect(response.status == .badRequest)
            #expect(response.errorMessage == message)
            let plugins = try await client.get("/api/users/\(user)/plugins").json.array
            #expect(plugins.first?["name"] as? String == "kept")
            #expect(plugins.first?["enabled"] as? Bool == true)
        }
    }

    @Test func updateAndDeleteOfUnknownPluginAre404() async throws {
        try await TestServer().run { client in
            let id = UUID().uuidString.lowercased()
            let updated = try await client.put("/api/plugins/\(id)", #"{"enabled": true}"#)
            #expect(updated.status == .notFound)
            #expect(updated.errorMessage == "Plugin not found")
            let deleted = try await client.delete("/api/plugins/\(id)")
            #expect(deleted.status == .notFound)
            #expect(deleted.errorMessage == "Plugin not found")
        }
    }

    @Test func deleteRemovesThePlugin() async throws {
        try await TestServer().run { client in
            let user = try await client.createUser()
            let id = try #require(try await client.post("/api/users/\(user)/plugins", #"{"name": "x"}"#).json.string("id"))
            let response = try await client.delete("/api/plugins/\(id)")
            #expect(response.status == .ok)
            #expect(try response.json.object as? [String: String] == ["message": "Plugin deleted successfully"])
            #expect(try await client.get("/api/users/\(user)/plugins").json.array.isEmpty)
        }
    }
}
