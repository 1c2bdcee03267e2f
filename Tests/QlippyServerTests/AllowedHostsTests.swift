import Foundation
import QlippyTestSupport
import Testing

@testable import QlippyServer

/// DNS rebinding: a request naming a host the server does not answer to is refused before
/// routing, on every route and in every mode, and nothing is read or written for it.
@Suite("Allowed hosts")
struct AllowedHostsTests {
    static let foreignHosts = [
        "attacker.example", "attacker.example:5001", "127.0.0.1.attacker.example", "192.0.2.10", "[fe80::1]:80", "localhost.",
        "localhost:5001:1",
    ]

    @Test func hostNamesAreReadFromAuthorities() {
        #expect(AllowedHosts.hostName(of: "LocalHost:5001") == "localhost")
        #expect(AllowedHosts.hostName(of: "[::1]:8080") == "::1")
        #expect(AllowedHosts.hostName(of: "[::1]") == "::1")
        #expect(AllowedHosts.hostName(of: "127.0.0.1") == "127.0.0.1")
        #expect(AllowedHosts.hostName(of: "localhost:") == nil)
        #expect(AllowedHosts.hostName(of: "localhost:port") == nil)
        #expect(AllowedHosts.hostName(of: "[::1]x") == nil)
        #expect(AllowedHosts.hostName(of: "user@localhost") == nil)
        #expect(AllowedHosts.hostName(of: "local host") == nil)
        #expect(AllowedHosts.hostName(of: "lOcälhost") == nil)
        #expect(AllowedHosts.hostName(of: "localhost:123456") == nil)
        #expect(AllowedHosts.hostName(of: "[::1]:") == nil)
        #expect(AllowedHosts.hostName(of: "[]") == nil)
        #expect(AllowedHosts.hostName(of: "CHAT.Example.COM:65535") == "chat.example.com")
        let hosts = AllowedHosts(listed: ["chat.example.com", ".team.example"], boundHost: "127.0.0.1")
        #expect(hosts.permits("chat.example.com:443"))
        #expect(hosts.permits("a.team.example") && hosts.permits("team.example"))
        #expect(!hosts.permits("example.com") && !hosts.permits("evilteam.example") && !hosts.permits(""))
        #expect(!AllowedHosts(listed: [], boundHost: "0.0.0.0").permits("0.0.0.0"))
        #expect(AllowedHosts(listed: [], boundHost: "10.1.2.3").permits("10.1.2.3:5001"))
    }

    @Test func aBadEntryStopsTheServerWithOneLine() {
        for entry in ["http://chat.example", "chat.example:443", "a b", "."] {
            #expect(throws: SettingsError.self) { try ServerSettings(reader: TestServer.reader(["allowedHosts": entry])) }
        }
    }

    @Test(arguments: [AuthMode.none, .token, .accounts])
    func foreignHostsAreRefusedOnEveryRoute(mode: AuthMode) async throws {
        let operations = try OpenAPIOperations.all(mode: mode)
        let settings: [String: String] =
            switch mode {
            case .none: [:]
            case .token: ["apiToken": APITokenTests.token]
            case .accounts: ["auth": "accounts", "signup": "open", "authSecret": Accounts.secret]
            }
        let server = try TestServer(settings: settings.merging(["allowedHosts": "chat.example.com"]) { $1 })
        try await server.run(.live) { client in
            let port = try #require(client.port)
            let authorization =
                switch mode {
                case .none: [String]()
                case .token: ["Authorization: Bearer \(APITokenTests.token)"]
                case .accounts: ["Authorization: Bearer \(try await client.signUp("ada").accessToken)"]
                }
            let planted = try await Self.plant(port: port, authorization: authorization, signedUp: mode == .accounts)
            let counts = try await server.rowCounts()
            for operation in operations {
                for host in Self.foreignHosts {
                    let request = Self.request(operation.method.rawValue, operation.path(with: planted), host: host, headers: authorization)
                    let reply = RawHTTP.parse(try await RawHTTP.exchange(port: port, request, wait: .seconds(10)).reply)
                    #expect(reply.status == 403, "\(operation) with Host \(host)")
                    #expect(reply.body == #"{"error":"This server does not answer to that Host; list the name in --allowed-hosts"}"#)
                }
            }
            let noHost = Self.request("POST", "/api/users", host: "", headers: authorization)
            let refused = RawHTTP.parse(try await RawHTTP.exchange(port: port, noHost, wait: .seconds(10)).reply)
            #expect(refused.status == 400 && refused.body == #"{"error":"Request has no Host header"}"#)
            #expect(try await server.rowCounts() == counts)
            for host in [
                "localhost", "localhost:5001", "127.0.0.1", "127.0.0.1:1", "[::1]", "[::1]:5001", "chat.example.com",
                "CHAT.example.com:8443",
            ] {
                let request = Self.request("GET", "/api/users/\(planted["user_id"]!)", host: host, headers: authorization)
                let reply = RawHTTP.parse(try await RawHTTP.exchange(port: port, request, wait: .seconds(10)).reply)
                #expect(reply.status == 200, "Host \(host)")
            }
        }
    }

    /// A user with a conversation, a message, a plugin and a folder: the ids every path names.
    static func plant(port: Int, authorization: [String], signedUp: Bool) async throws -> [String: String] {
        /// The signed-in user's id (accounts mode signs up first).
        func me() async throws -> String {
            let reply = RawHTTP.parse(
                try await RawHTTP.exchange(port: port, RawHTTP.request("GET", "/api/auth/me", headers: authorization), wait: .seconds(10))
                    .reply)
            let object = try JSONSerialization.jsonObject(with: Data(reply.body.utf8)) as? [String: Any]
            return try #require(object?["id"] as? String)
        }
        func post(_ path: String, _ body: String) async throws -> String {
            let request = RawHTTP.request("POST", path, headers: authorization + ["Content-Type: application/json"], body: Array(body.utf8))
            let reply = RawHTTP.parse(try await RawHTTP.exchange(port: port, request, wait: .seconds(10)).reply)
            let object = try JSONSerialization.jsonObject(with: Data(reply.body.utf8)) as? [String: Any]
            return try #require(object?["id"] as? String, "\(path): \(reply.body)")
        }
        let user = signedUp ? try await me() : try await post("/api/users", #"{"username": "ada"}"#)
        let conversation = try await post("/api/users/\(user)/conversations", #"{"folder": "work"}"#)
        let message = try await post("/api/conversations/\(conversation)/messages", #"{"role": "user", "content": "hello"}"#)
        let plugin = try await post("/api/users/\(user)/plugins", #"{"name": "p"}"#)
        return ["user_id": user, "conversation_id": conversation, "message_id": message, "plugin_id": plugin, "name": "work"]
    }

    /// A request naming `host` (no `Host` header at all when it is empty).
    static func request(_ method: String, _ target: String, host: String, headers: [String]) -> [UInt8] {
        var head = "\(method) \(target) HTTP/1.1\r\n" + (host.isEmpty ? "" : "Host: \(host)\r\n") + "Connection: close\r\n"
        for header in headers { head += header + "\r\n" }
        return Array((head + "Content-Length: 0\r\n\r\n").utf8)
    }
}
