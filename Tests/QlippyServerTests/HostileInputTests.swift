import Foundation
import HummingbirdTesting
import QlippyModel
import QlippyTestSupport
import Testing

/// Hostile input, sent over a real socket so that the HTTP parser sees it too: each request gets a
/// 4xx JSON `{"error": …}`, nothing is written, and the server stays healthy.
@Suite("Hostile input")
struct HostileInputTests {
    /// What exists before the hostile requests; every case may aim at these.
    struct Planted: Sendable {
        var user, conversation, message, plugin: String
    }

    struct Case: Sendable, CustomStringConvertible {
        var description: String
        var status: Int
        var request: @Sendable (Planted) -> [UInt8]
    }

    static let json = "Content-Type: application/json"
    static let nilID = "00000000-0000-0000-0000-000000000000"

    static func post(_ path: @escaping @Sendable (Planted) -> String, _ body: [UInt8], headers: [String] = [json])
        -> @Sendable (Planted) -> [UInt8]
    {
        { RawHTTP.request("POST", path($0), headers: headers, body: body) }
    }

    static func get(_ path: @escaping @Sendable (Planted) -> String) -> @Sendable (Planted) -> [UInt8] {
        { RawHTTP.request("GET", path($0)) }
    }

    static func users(_ body: String) -> @Sendable (Planted) -> [UInt8] { post({ _ in "/api/users" }, Array(body.utf8)) }
    static func users(bytes: [UInt8]) -> @Sendable (Planted) -> [UInt8] { post({ _ in "/api/users" }, bytes) }
    static func search(_ query: String) -> @Sendable (Planted) -> [UInt8] { get { "/api/users/\($0.user)/search?q=hello&\(query)" } }
    static func raw(_ text: String) -> @Sendable (Planted) -> [UInt8] { { _ in Array(text.utf8) } }

    static let tenMegabytes = String(repeating: "x", count: 10 * 1024 * 1024)

    static let cases: [Case] = [
        // Deep nesting and size
        Case(
            description: "100 000 nested arrays", status: 400,
            request: users(String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000))),
        Case(
            description: "10 000 nested objects in a field", status: 400,
            request: users(#"{"username": "# + String(repeating: #"{"a": "#, count: 10_000) + "1" + String(repeating: "}", count: 10_001))),
        Case(
            description: "400 nested arrays as a username", status: 400,
            request: users(#"{"username": "# + String(repeating: "[", count: 400) + String(repeating: "]", count: 400) + "}")),
        Case(description: "10 MB username", status: 400, request: users(#"{"username": "\#(tenMegabytes)"}"#)),
        Case(
            description: "10 MB title", status: 400,
            request: post({ "/api/users/\($0.user)/conversations" }, Array(#"{"title": "\#(tenMegabytes)"}"#.utf8))),
        Case(
            description: "10 MB plugin name", status: 400,
            request: post({ "/api/users/\($0.user)/plugins" }, Array(#"{"name": "\#(tenMegabytes)"}"#.utf8))),
        Case(
            description: "10 MB role", status: 400,
            request: post(
                { "/api/conversations/\($0.conversation)/messages" }, Array(#"{"role": "\#(tenMegabytes)", "content": "x"}"#.utf8))),
        Case(
            description: "17 MB body, over the 16 MB limit", status: 413,
            request: post(
                { "/api/conversations/\($0.conversation)/messages" },
                Array(#"{"role": "user", "content": "\#(tenMegabytes)\#(String(repeating: "y", count: 7 * 1024 * 1024))"}"#.utf8))),
        Case(description: "10 MB search query", status: 431, request: get { "/api/users/\($0.user)/search?q=\(tenMegabytes)" }),
        // Encodings
        Case(
            description: "invalid UTF-8 (FF FE) in a string", status: 400,
            request: users(bytes: Array(#"{"username": ""#.utf8) + [0xFF, 0xFE] + Array(#""}"#.utf8))),
        Case(
            description: "overlong UTF-8 (C0 AF)", status: 400,
            request: users(bytes: Array(#"{"username": ""#.utf8) + [0xC0, 0xAF] + Array(#""}"#.utf8))),
        Case(
            description: "UTF-8-encoded surrogate (ED A0 80)", status: 400,
            request: users(bytes: Array(#"{"username": ""#.utf8) + [0xED, 0xA0, 0x80] + Array(#""}"#.utf8))),
        Case(description: "lone surrogate escape", status: 400, request: users(#"{"username": "\ud800"}"#)),
        Case(
            description: "truncated UTF-8 at the end", status: 400, request: users(bytes: Array(#"{"username": "a"#.utf8) + [0xE2, 0x82])),
        Case(
            description: "raw NUL byte in a string", status: 400,
            request: users(bytes: Array(#"{"username": "a"#.utf8) + [0] + Array(#"b"}"#.utf8))),
        Case(
            description: "raw NUL byte between tokens", status: 400,
            request: users(bytes: Array(#"{"username":"#.utf8) + [0] + Array(#""ab"}"#.utf8))),
        Case(
            description: "raw control character in a string", status: 400,
            request: users(bytes: Array(#"{"username": "a"#.utf8) + [0x07] + Array(#""}"#.utf8))),
        // Numbers and literals
        Case(description: "number past Double's range", status: 400, request: users(#"{"username": 1e999999}"#)),
        Case(
            description: "30-digit integer as a boolean", status: 400,
            request: post({ "/api/users/\($0.user)/plugins" }, Array(#"{"name": "p", "enabled": 123456789012345678901234567890}"#.utf8))),
        Case(
            description: "NaN", status: 400,
            request: post({ "/api/users/\($0.user)/plugins" }, Array(#"{"name": "p", "enabled": NaN}"#.utf8))),
        Case(description: "Infinity", status: 400, request: users(#"{"username": Infinity}"#)),
        // Structure
        Case(description: "duplicate key", status: 400, request: users(#"{"username": "ada", "username": "eve"}"#)),
        Case(
            description: "duplicate key hidden by an escape", status: 400,
            request: post(
                { "/api/conversations/\($0.conversation)/messages" },
                Array(#"{"role": "user", "content": "x", "\u0072ole": "assistant"}"#.utf8))),
        Case(description: "two JSON documents", status: 400, request: users(#"{"username": "ada"} {"username": "eve"}"#)),
        Case(description: "JSON with a comment", status: 400, request: users(#"{"username": "ada" /* admin */}"#)),
        Case(description: "single-quoted JSON", status: 400, request: users(#"{'username': 'ada'}"#)),
        Case(description: "whitespace-only username", status: 400, request: users(#"{"username": " \u2003\t"}"#)),
        Case(
            description: "null for a title", status: 400,
            request: {
                RawHTTP.request("PUT", "/api/conversations/\($0.conversation)", headers: [json], body: Array(#"{"title": null}"#.utf8))
            }),
        Case(
            description: "number for a folder", status: 400,
            request: {
                RawHTTP.request("PUT", "/api/conversations/\($0.conversation)", headers: [json], body: Array(#"{"folder": 5}"#.utf8))
            }),
        Case(
            description: "wrong media type", status: 415,
            request: post({ _ in "/api/users" }, Array(#"{"username": "ada"}"#.utf8), headers: ["Content-Type: text/plain"])),
        Case(
            description: "look-alike media type", status: 415,
            request: post({ _ in "/api/users" }, Array(#"{"username": "ada"}"#.utf8), headers: ["Content-Type: application/jsonx"])),
        // Paths and ids
        Case(
            description: "path traversal", status: 404,
            request: raw("GET /api/users/../../etc/passwd HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")),
        Case(description: "encoded path traversal in an id", status: 400, request: get { _ in "/api/users/..%2F..%2Fetc%2Fpasswd" }),
        Case(description: "encoded dots as an id", status: 400, request: get { _ in "/api/conversations/%2e%2e" }),
        Case(description: "encoded NUL after an id", status: 400, request: { _ in RawHTTP.request("DELETE", "/api/messages/\(nilID)%00") }),
        Case(
            description: "shell metacharacters after an id", status: 400,
            request: { RawHTTP.request("DELETE", "/api/plugins/\($0.plugin);rm%20-rf%20%2F") }),
        Case(description: "SQL in an id", status: 400, request: get { _ in "/api/users/1'%20OR%20'1'='1" }),
        Case(
            description: "SQL in an id of a delete", status: 400,
            request: { _ in RawHTTP.request("DELETE", "/api/conversations/x'%3B%20DELETE%20FROM%20conversations%3B--") }),
        // Query parameters
        Case(description: "SQL in limit", status: 400, request: search("limit=1;DROP%20TABLE%20users")),
        Case(description: "SQL in role", status: 400, request: search("role=user'%20OR%201=1--")),
        Case(description: "SQL in the cursor", status: 400, request: search("after=';DROP%20TABLE%20messages;--")),
        Case(description: "SQL in a date", status: 400, request: search("from=2020-01-01'%20OR%201=1")),
        Case(description: "30-digit limit", status: 400, request: search("limit=999999999999999999999999999999")),
        Case(description: "negative limit", status: 400, request: search("limit=-1")),
        Case(description: "blank query", status: 400, request: get { "/api/users/\($0.user)/search?q=%20%09%0A" }),
        // The request itself: header injection, smuggling, malformed heads
        Case(
            description: "bare LF inside a header value", status: 400,
            request: raw("GET /api/health HTTP/1.1\r\nHost: localhost\r\nX-A: a\nSet-Cookie: evil=1\r\nConnection: close\r\n\r\n")),
        Case(
            description: "bare CR inside a header value", status: 400,
            request: raw("GET /api/health HTTP/1.1\r\nHost: localhost\r\nX-A: a\rSet-Cookie: evil=1\r\nConnection: close\r\n\r\n")),
        Case(
            description: "space in a header name", status: 400,
            request: raw("GET /api/health HTTP/1.1\r\nHost: localhost\r\nX Injected: 1\r\nConnection: close\r\n\r\n")),
        Case(
            description: "Content-Length with Transfer-Encoding", status: 400,
            request: raw(
                "POST /api/users HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 20\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
            )),
        Case(
            description: "two different Content-Lengths", status: 400,
            request: raw(
                "POST /api/users HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 19\r\nContent-Length: 3\r\n\r\n{\"username\": \"eve\"}"
            )),
        Case(
            description: "Content-Length past 64 bits", status: 400,
            request: raw(
                "POST /api/users HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 99999999999999999999999\r\n\r\n{}"
            )),
        Case(
            description: "NUL in the request target", status: 400,
            request: raw("GET /api/he\0alth HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")),
        Case(
            description: "invalid UTF-8 in the request target", status: 400,
            request: { _ in
                Array("GET /api/users/".utf8) + [0xFF, 0xFE] + Array(" HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".utf8)
            }
        ),
        Case(
            description: "101 header fields", status: 431,
            request: raw("GET /api/health HTTP/1.1\r\nHost: localhost\r\n" + (0..<101).map { "X-\($0): 1\r\n" }.joined() + "\r\n")),
    ]

    @Test func everyHostileRequestIs4xxJSONAndWritesNothing() async throws {
        #expect(Self.cases.count >= 40)
        let server = try TestServer()
        try await server.run(.live) { client in
            let port = try #require(client.port)
            let user = try await client.createUser()
            let conversation = try await client.createConversation(user: user)
            let message = try #require(try await client.addMessage(to: conversation, "hello").string("id"))
            let pluginResponse = try await client.post("/api/users/\(user)/plugins", #"{"name": "p"}"#)
            let planted = Planted(
                user: user, conversation: conversation, message: message, plugin: try #require(try pluginResponse.json.string("id")))
            let counts = try await server.rowCounts()
            let conversationBefore = String(buffer: try await client.get("/api/conversations/\(conversation)").body)
            let pluginsBefore = String(buffer: try await client.get("/api/users/\(user)/plugins").body)

            for hostile in Self.cases {
                let exchange = try await RawHTTP.exchange(port: port, hostile.request(planted), wait: .seconds(10))
                let reply = RawHTTP.parse(exchange.reply)
                #expect(reply.status == hostile.status, "\(hostile): \(exchange.reply.prefix(300))")
                #expect(reply.headers.lowercased().contains("content-type: application/json"), "\(hostile)")
                let body = try? JSONSerialization.jsonObject(with: Data(reply.body.utf8)) as? [String: String]
                #expect(body?.keys.sorted() == ["error"] && body?["error"]?.isEmpty == false, "\(hostile): \(reply.body.prefix(200))")
            }

            #expect(try await server.rowCounts() == counts)
            #expect(String(buffer: try await client.get("/api/conversations/\(conversation)").body) == conversationBefore)
            #expect(String(buffer: try await client.get("/api/users/\(user)/plugins").body) == pluginsBefore)
            #expect(try await client.get("/api/health").status == .ok)
        }
    }

    /// SQL and FTS5 metacharacters are data, not syntax: stored as sent, searched as literal text.
    @Test(arguments: [#"'); DROP TABLE users; --"#, #"" OR 1=1 --"#, "NEAR(a b)", "a* OR b", "^col:x", #"\%_"#, "{a b}:c"])
    func metacharactersAreStoredAndSearchedLiterally(text: String) async throws {
        try await TestServer().run { client in
            let user = try await client.createUser()
            let holds = try await client.createConversation(user: user)
            let other = try await client.createConversation(user: user)
            let stored = try await client.addMessage(to: holds, "before \(text) after")
            try await client.addMessage(to: other, "nothing special here at all")
            #expect(stored.string("content") == "before \(text) after")
            let query = try #require(text.addingPercentEncoding(withAllowedCharacters: .alphanumerics))
            let found = try await client.get("/api/users/\(user)/search?q=\(query)").json
            #expect(found.int("total_results") == 1)
            #expect((found["results"] as? [[String: Any]])?.first?["id"] as? String == holds)
            #expect(try await client.get("/api/users/\(user)/conversations").json.array.count == 2)
        }
    }
}
