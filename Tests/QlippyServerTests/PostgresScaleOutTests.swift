import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import QlippyModel
import QlippyTestSupport
import Testing

/// Several `qlippy-server` processes on one PostgreSQL database, and the database going away.
@Suite("Scale-out on PostgreSQL", .enabled(if: TestStore.current == .postgres, "needs the PostgreSQL run"))
struct PostgresScaleOutTests {
    /// Sends a JSON request to a live server and returns its status and parsed body.
    static func send(
        _ client: LoopbackClient, _ method: HTTPRequest.Method, _ path: String, _ body: String? = nil
    ) async throws -> (status: HTTPResponse.Status, json: JSONDocument?) {
        let response = try await client.execute(
            TestClient.Request(path, method: method, headers: body == nil ? [:] : jsonHeaders, body: body.map { ByteBuffer(string: $0) })
        )
        return (response.status, response.body.flatMap { try? JSONDocument($0) })
    }

    /// HummingbirdTesting's timeout runs from the moment a request is queued on the client's one
    /// connection, so the last of 100 concurrent requests waits for the 99 before it too: its 15 s
    /// default is too short for debug servers with the rest of the suite running beside them.
    static let patient = TestClient.Configuration(timeout: .seconds(60))

    @Test func twoServersShareOneDatabaseWithoutLostWrites() async throws {
        let url = TestPostgres.url(of: TestPostgres.newDatabaseName())
        try await TestPostgres.create(url)
        let first = try await ServerProcess(database: url)
        let second = try await ServerProcess(database: url)
        #expect(first.output.contains("store=PostgreSQL"))
        try await LoopbackClient.withClient(port: first.port, configuration: Self.patient) { one in
            try await LoopbackClient.withClient(port: second.port, configuration: Self.patient) { two in
                // The same username through both at once: exactly one wins, the rest are 409.
                let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                    for index in 0..<20 {
                        group.addTask {
                            try await Self.send(index % 2 == 0 ? one : two, .post, "/api/users", #"{"username": "twin"}"#).status
                        }
                    }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
                #expect(statuses.filter { $0 == .created }.count == 1)
                #expect(statuses.filter { $0 == .conflict }.count == 19)

                let user = try #require(try await Self.send(one, .post, "/api/users", #"{"username": "writer"}"#).json?.string("id"))
                let conversation = try #require(
                    try await Self.send(one, .post, "/api/users/\(user)/conversations", "{}").json?.string("id")
                )
                // 200 messages into one conversation, half through each server, all at once.
                let stamps = try await withThrowingTaskGroup(of: String?.self) { group in
                    for index in 0..<200 {
                        group.addTask {
                            let answer = try await Self.send(
                                index % 2 == 0 ? one : two, .post, "/api/conversations/\(conversation)/messages",
                                #"{"role": "user", "content": "message \#(index)"}"#
                            )
                            return answer.status == .created ? answer.json?.string("timestamp") : nil
                        }
                    }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
                #expect(stamps.compactMap { $0 }.count == 200)
                let detail = try #require(try await Self.send(two, .get, "/api/conversations/\(conversation)").json)
                #expect(detail.int("message_count") == 200)
                #expect((detail["messages"] as? [Any])?.count == 200)
                #expect(
                    detail.string("last_updated") == stamps.compactMap { $0 }.max(),
                    "last_updated is the newest message's, whichever server committed last")

                // Half of them deleted through both servers at once: the kept count follows.
                let ids = (detail["messages"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
                let deletions = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                    for (index, id) in ids.prefix(100).enumerated() {
                        group.addTask { try await Self.send(index % 2 == 0 ? one : two, .delete, "/api/messages/\(id)").status }
                    }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
                #expect(deletions.allSatisfy { $0 == .ok })
                #expect(try await Self.send(one, .get, "/api/conversations/\(conversation)").json?.int("message_count") == 100)
                let listed = try #require(try await Self.send(two, .get, "/api/users/\(user)/conversations").json?.array.first)
                #expect(listed["message_count"] as? Int == 100)
            }
        }
        #expect(try await TestPostgres.rowCounts(url)["messages"] == 100)
        try await first.stop()
        try await second.stop()
    }

    @Test func deletesRacingInsertsLeaveNoOrphans() async throws {
        let url = TestPostgres.url(of: TestPostgres.newDatabaseName())
        try await TestPostgres.create(url)
        let first = try await ServerProcess(database: url)
        let second = try await ServerProcess(database: url)
        try await LoopbackClient.withClient(port: first.port, configuration: Self.patient) { one in
            try await LoopbackClient.withClient(port: second.port, configuration: Self.patient) { two in
                let user = try #require(try await Self.send(one, .post, "/api/users", #"{"username": "racer"}"#).json?.string("id"))
                for _ in 0..<10 {
                    let conversation = try #require(
                        try await Self.send(one, .post, "/api/users/\(user)/conversations", "{}").json?.string("id")
                    )
                    var existing: [String] = []
                    for index in 0..<10 {
                        let added = try await Self.send(
                            one, .post, "/api/conversations/\(conversation)/messages", #"{"role": "user", "content": "e\#(index)"}"#)
                        existing.append(try #require(added.json?.string("id")))
                    }
                    // Adds and message deletes through one server, the conversation's delete through
                    // the other: the two kinds of delete take the message's and the conversation's
                    // rows in opposite orders.
                    let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                        for index in 0..<20 {
                            group.addTask {
                                try await Self.send(
                                    two, .post, "/api/conversations/\(conversation)/messages", #"{"role": "user", "content": "m\#(index)"}"#
                                ).status
                            }
                        }
                        for id in existing {
                            group.addTask { try await Self.send(two, .delete, "/api/messages/\(id)").status }
                        }
                        group.addTask { try await Self.send(one, .delete, "/api/conversations/\(conversation)").status }
                        return try await group.reduce(into: []) { $0.append($1) }
                    }
                    #expect(statuses.allSatisfy { [.created, .ok, .notFound].contains($0) }, "\(statuses)")
                }
            }
        }
        let orphans = try await TestPostgres.withConnection(url) { connection in
            try await connection.query(
                "SELECT count(*) FROM messages m WHERE NOT EXISTS (SELECT 1 FROM conversations c WHERE c.id = m.conversation_id)",
                logger: TestPostgres.logger
            ).decode(Int.self).reduce(0, +)
        }
        #expect(orphans == 0)
        #expect(try await TestPostgres.rowCounts(url)["messages"] == 0, "every conversation was deleted, with its messages")
        try await first.stop()
        try await second.stop()
    }

    /// The database stops while the server runs: requests get a 503 JSON error (no crash, no hang),
    /// then succeed again once it is back. On the spare server, which no other test uses.
    @Test func aDatabaseRestartIs503ThenRecovers() async throws {
        let environment = ProcessInfo.processInfo.environment
        let control = try #require(environment["QLIPPY_TEST_POSTGRES_SPARE_CTL"])
        let server = try TestServer(postgresServer: try #require(environment["QLIPPY_TEST_POSTGRES_SPARE_URL"]))
        try await server.run(.live) { client in
            let user = try await client.createUser()
            #expect(try await client.get("/api/users/\(user)").status == .ok)
            try await Self.postgres(control, "stop")
            do {
                let during = try await client.get("/api/users/\(user)")
                #expect(during.status == .serviceUnavailable)
                #expect(during.errorMessage == "Database unavailable")
                let health = try await client.get("/api/health")
                #expect(health.status == .serviceUnavailable)
            }
            try await Self.postgres(control, "start")
            var recovered = false
            for _ in 0..<50 where !recovered {
                recovered = try await client.get("/api/users/\(user)").status == .ok
                if !recovered { try await Task.sleep(for: .milliseconds(200)) }
            }
            #expect(recovered, "requests succeed again once the database is back")
        }
    }

    static func postgres(_ control: String, _ action: String) async throws {
        let status = try await onOwnThread {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: control)
            process.arguments = [action]
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            return process.terminationStatus
        }
        #expect(status == 0, "pg_ctl \(action)")
    }
}
