import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import QlippyTestSupport
import Testing

/// Accounts from the command line (`qlippy-server users …`), beside a running server, and what a
/// server in accounts mode writes to its log.
@Suite("Accounts on the command line")
struct AccountCommandLineTests {
    static let adminPassword = "the first admin's passphrase"

    private func users(_ arguments: [String], database: String, input: String? = nil) async throws -> Command.Outcome {
        try await Command.run(ServerProcess.binary.path, ["users"] + arguments + ["--database", database], input: input)
    }

    /// A database for this run's store, with the admin `root` made by the command line.
    private func databaseWithAdmin() async throws -> String {
        let database: String
        if TestStore.current == .postgres {
            database = TestPostgres.url(of: TestPostgres.newDatabaseName())
            try await TestPostgres.create(database)
        } else {
            database = try makeTemporaryDirectory().appendingPathComponent("qlippy.db").path
        }
        let added = try await users(["add", "root", "--admin", "--password-stdin"], database: database, input: Self.adminPassword + "\n")
        #expect(added.status == 0, "\(added.stderr)")
        #expect(added.stdout.hasPrefix("created admin root ("))
        return database
    }

    @Test func usersAreManagedBesideARunningServer() async throws {
        let database = try await databaseWithAdmin()
        let server = try await ServerProcess(database: database, arguments: ["--auth", "accounts"])
        try await LoopbackClient.withClient(port: server.port) { client in
            func login(_ name: String, _ password: String) async throws -> HTTPResponse.Status {
                try await client.post(
                    "/api/auth/login", headers: jsonHeaders,
                    body: ByteBuffer(string: #"{"username": "\#(name)", "password": "\#(password)"}"#)
                ).status
            }
            #expect(try await login("root", Self.adminPassword) == .ok)
            let weak = try await users(["add", "ada", "--password-stdin"], database: database, input: "password1234\n")
            #expect(
                weak.status == 1
                    && weak.stderr == "qlippy-server: error: Password is too common: choose one that is not on lists of leaked passwords\n")
            #expect(try await users(["add", "ada", "--password-stdin"], database: database, input: "ada's own passphrase\n").status == 0)
            #expect(try await login("ada", "ada's own passphrase") == .ok)
            let list = try await users(["list"], database: database)
            #expect(
                list.stdout.split(separator: "\n").map { $0.split(separator: "\t").dropFirst().joined(separator: " ") } == [
                    "root admin enabled", "ada user enabled",
                ])
            #expect(
                try await users(["set-password", "ada", "--password-stdin"], database: database, input: "a newer passphrase\n").status == 0)
            #expect(try await login("ada", "ada's own passphrase") == .unauthorized)
            #expect(try await login("ada", "a newer passphrase") == .ok)
            #expect(try await users(["disable", "ada"], database: database).stdout == "disabled ada\n")
            #expect(try await login("ada", "a newer passphrase") == .unauthorized)
            #expect(try await users(["enable", "ada"], database: database).stdout == "enabled ada\n")
            #expect(try await login("ada", "a newer passphrase") == .ok)
            #expect(try await users(["delete", "ada"], database: database).stdout == "deleted ada and all their data\n")
            #expect(try await login("ada", "a newer passphrase") == .unauthorized)
            let last = try await users(["disable", "root"], database: database)
            #expect(last.status == 1 && last.stderr.contains("The last enabled admin cannot be removed, disabled or demoted"))
        }
        #expect(try await server.stop() == 0)
    }

    /// No password, hash, token or key in any log line, even at the most verbose level.
    @Test func noSecretReachesTheLog() async throws {
        let database = try await databaseWithAdmin()
        let server = try await ServerProcess(database: database, arguments: ["--auth", "accounts", "--log-level", "trace"])
        let secrets = try await LoopbackClient.withClient(port: server.port) { client in
            var secrets = [Self.adminPassword]
            func send(_ method: HTTPRequest.Method, _ path: String, _ bearer: String?, _ body: String?) async throws -> JSONDocument {
                var headers = jsonHeaders
                if let bearer { headers[.authorization] = "Bearer \(bearer)" }
                let response = try await client.execute(
                    TestClient.Request(path, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) }))
                return try JSONDocument(response.body ?? ByteBuffer())
            }
            let signedIn = try await send(.post, "/api/auth/login", nil, #"{"username": "root", "password": "\#(Self.adminPassword)"}"#)
            let access = try #require(signedIn.string("access_token"))
            let refresh = try #require(signedIn.string("refresh_token"))
            let key = try #require(try await send(.post, "/api/auth/keys", access, #"{"name": "ci"}"#).string("key"))
            secrets += [access, refresh, key, "wrong password guess"]
            _ = try await send(.post, "/api/auth/login", nil, #"{"username": "root", "password": "wrong password guess"}"#)
            _ = try await send(.get, "/api/auth/me", key, nil)
            _ = try await send(.get, "/api/auth/me", key + "x", nil)
            let refreshed = try await send(.post, "/api/auth/refresh", nil, #"{"refresh_token": "\#(refresh)"}"#)
            secrets += [try #require(refreshed.string("access_token")), try #require(refreshed.string("refresh_token"))]
            _ = try await send(.post, "/api/auth/refresh", nil, #"{"refresh_token": "\#(refresh)"}"#)
            let newPassword = "a replacement passphrase"
            secrets.append(newPassword)
            _ = try await send(
                .put, "/api/auth/password", access, #"{"current_password": "\#(Self.adminPassword)", "new_password": "\#(newPassword)"}"#)
            return secrets
        }
        #expect(try await server.stop() == 0)
        let log = server.output
        #expect(log.contains("signed in") && log.contains("password changed"), "the log says what happened")
        for secret in secrets {
            #expect(!log.contains(secret), "the log holds a secret: \(secret.prefix(8))…")
        }
        #expect(!log.contains("$2b$") && !log.contains("$2a$") && !log.contains("qlp_") && !log.contains("qlr_") && !log.contains("eyJ"))
    }
}
