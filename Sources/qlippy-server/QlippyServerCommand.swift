import ArgumentParser
import Configuration
import Foundation
import Hummingbird
import Logging
import QlippyModel
import QlippyServer
import QlippyStore

/// The `qlippy-server` executable: parses arguments and hands them to `buildApplication`.
@main
struct QlippyServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "qlippy-server",
        abstract: "The storage and API backend of the Qlippy chat client.",
        subcommands: [Serve.self, Migrate.self, Check.self, Backup.self, Export.self, Import.self, Users.self],
        defaultSubcommand: Serve.self
    )
}

/// `qlippy-server serve` (the default): run the HTTP API.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve the Qlippy API (the default command).",
        discussion: "Every option can also be set by its environment variable; the option wins."
    )

    @Option(help: "Address to listen on. (env: QLIPPY_HOST, default: 127.0.0.1)")
    var host: String?

    @Option(help: "Port to listen on; 0 picks a free one. (env: QLIPPY_PORT, default: 5001)")
    var port: String?

    @Option(help: "SQLite database file, created if missing. (env: QLIPPY_DATABASE, default: ./qlippy.db)")
    var database: String?

    @Option(
        help: "Comma-separated origins allowed by CORS. (env: QLIPPY_CORS_ORIGINS, default: http://localhost:3000,http://localhost:3001)")
    var corsOrigins: String?

    @Option(
        help:
            "Comma-separated host names answered besides localhost, 127.0.0.1, [::1] and --host: the names a proxy or a team uses; .example.com takes a domain. Any other Host is refused. (env: QLIPPY_ALLOWED_HOSTS)"
    )
    var allowedHosts: String?

    @Option(help: "Largest request body accepted, in bytes. (env: QLIPPY_MAX_BODY_SIZE, default: 16777216)")
    var maxBodySize: String?

    @Option(help: "Largest import file accepted, in bytes. (env: QLIPPY_MAX_IMPORT_SIZE, default: 1073741824)")
    var maxImportSize: String?

    @Option(help: "trace, debug, info, notice, warning, error or critical. (env: QLIPPY_LOG_LEVEL, default: info)")
    var logLevel: String?

    @Option(
        help:
            "Users with at most this many messages are searched by scanning them, not the index (on SQLite: when it holds more hits than they have messages, or the search filters by role or date). (env: QLIPPY_SEARCH_SCAN_LIMIT, default: 2000)"
    )
    var searchScanLimit: String?

    @Option(
        help:
            "false: this server does not index new messages for search (searches scan them), e.g. when another server on the same file does. (env: QLIPPY_SEARCH_INDEXING, default: true)"
    )
    var searchIndexing: String?

    @Option(
        help:
            "A file holding the API token that every route but /api/health then requires (Authorization: Bearer); needed to listen beyond loopback. The token itself can be given as QLIPPY_API_TOKEN. (env: QLIPPY_API_TOKEN_FILE)"
    )
    var apiTokenFile: String?

    @Option(
        help:
            "none (no credential, loopback only), token (the API token) or accounts (users sign in; see the README's \"Running it for a team\"). (env: QLIPPY_AUTH, default: token when a token is set, else none)"
    )
    var auth: String?

    @Option(
        help:
            "A file holding the secret (32+ bytes) that signs access tokens; the secret itself can be given as QLIPPY_AUTH_SECRET. Without either, one is generated and kept in the database. (env: QLIPPY_AUTH_SECRET_FILE)"
    )
    var authSecretFile: String?

    @Option(help: "Seconds an access token is valid. (env: QLIPPY_ACCESS_TOKEN_LIFETIME, default: 3600)")
    var accessTokenLifetime: String?

    @Option(help: "Seconds a refresh token is valid; each use replaces it. (env: QLIPPY_REFRESH_TOKEN_LIFETIME, default: 2592000)")
    var refreshTokenLifetime: String?

    @Option(help: "closed: admins create accounts; open: anyone may (rate-limited). (env: QLIPPY_SIGNUP, default: closed)")
    var signup: String?

    @Option(help: "true: admins may read other users' chats, each read logged. (env: QLIPPY_ADMIN_CHAT_ACCESS, default: false)")
    var adminChatAccess: String?

    @Option(
        help:
            "Comma-separated addresses or CIDR blocks of authenticating proxies whose --auth-header names the user (accounts mode). (env: QLIPPY_TRUSTED_PROXIES)"
    )
    var trustedProxies: String?

    @Option(help: "The header a trusted proxy names the user in. (env: QLIPPY_AUTH_HEADER, default: X-Forwarded-User)")
    var authHeader: String?

    @Option(help: "An OpenID Connect provider's issuer URL: its bearer tokens sign users in (accounts mode). (env: QLIPPY_OIDC_ISSUER)")
    var oidcIssuer: String?

    @Option(help: "The audience (client id) the provider's tokens must be for. (env: QLIPPY_OIDC_AUDIENCE)")
    var oidcAudience: String?

    @Option(help: "The token claim that names the user. (env: QLIPPY_OIDC_USER_CLAIM, default: preferred_username)")
    var oidcUserClaim: String?

    @Option(help: "Seconds a connection may send nothing before it is closed. (env: QLIPPY_IDLE_TIMEOUT, default: 30)")
    var idleTimeout: String?

    @Option(help: "Seconds a request may take to arrive whole, head to end of body. (env: QLIPPY_REQUEST_TIMEOUT, default: 60)")
    var requestTimeout: String?

    @Option(help: "Open connections served at once; one more is answered 503. (env: QLIPPY_MAX_CONNECTIONS, default: 512)")
    var maxConnections: String?

    @Option(
        help:
            "Requests per second each client address may send on average; 0: no limit. Beyond it: 429. (env: QLIPPY_RATE_LIMIT, default: 20)"
    )
    var rateLimit: String?

    @Option(help: "Requests a client may send at once before the rate applies. (env: QLIPPY_RATE_LIMIT_BURST, default: 40)")
    var rateLimitBurst: String?

    @Option(help: "true: limit clients on this machine too. (env: QLIPPY_RATE_LIMIT_LOOPBACK, default: false)")
    var rateLimitLoopback: String?

    @Option(help: "PEM certificate chain; with --tls-key the server speaks HTTPS. (env: QLIPPY_TLS_CERT)")
    var tlsCert: String?

    @Option(help: "PEM private key of --tls-cert. (env: QLIPPY_TLS_KEY)")
    var tlsKey: String?

    @Option(help: "Folder for the snapshots of POST /api/admin/backup. (env: QLIPPY_BACKUP_DIRECTORY, default: <database>-backups)")
    var backupDirectory: String?

    @Option(help: "Seconds between the heartbeat comments of an idle event stream. (env: QLIPPY_EVENT_HEARTBEAT, default: 15)")
    var eventHeartbeat: String?

    @Option(
        help:
            "Events queued for an event stream that is read too slowly; past it the stream ends with a reset event. (env: QLIPPY_EVENT_BUFFER, default: 1000)"
    )
    var eventBuffer: String?

    @Option(help: "How long a temporary chat lives: 2s, 45m, 12h, 30d. (env: QLIPPY_TEMPORARY_RETENTION, default: 30d)")
    var temporaryRetention: String?

    @Option(help: "Days after which a conversation nobody touched is deleted. (env: QLIPPY_RETENTION, default: never)")
    var retention: String?

    @Option(help: "Who may read share links: off, public or accounts. (env: QLIPPY_SHARE_LINKS, default: public)")
    var shareLinks: String?

    func run() async throws {
        let flags: [ServerSettings.Key: String?] = [
            .host: host, .port: port, .database: database,
            .corsOrigins: corsOrigins, .allowedHosts: allowedHosts, .maxBodySize: maxBodySize, .maxImportSize: maxImportSize,
            .logLevel: logLevel,
            .searchScanLimit: searchScanLimit, .searchIndexing: searchIndexing,
            .apiTokenFile: apiTokenFile, .idleTimeout: idleTimeout, .requestTimeout: requestTimeout, .maxConnections: maxConnections,
            .rateLimit: rateLimit, .rateLimitBurst: rateLimitBurst, .rateLimitLoopback: rateLimitLoopback,
            .tlsCert: tlsCert, .tlsKey: tlsKey, .backupDirectory: backupDirectory, .eventHeartbeat: eventHeartbeat,
            .eventBuffer: eventBuffer, .auth: auth, .authSecretFile: authSecretFile, .accessTokenLifetime: accessTokenLifetime,
            .refreshTokenLifetime: refreshTokenLifetime, .signup: signup, .adminChatAccess: adminChatAccess,
            .trustedProxies: trustedProxies, .authHeader: authHeader, .oidcIssuer: oidcIssuer, .oidcAudience: oidcAudience,
            .oidcUserClaim: oidcUserClaim, .temporaryRetention: temporaryRetention, .retention: retention, .shareLinks: shareLinks,
        ]
        var values: [AbsoluteConfigKey: ConfigValue] = [:]
        for case (let key, let value?) in flags {
            values[AbsoluteConfigKey(ConfigKey(key.configKey))] = ConfigValue(.string(value), isSecret: false)
        }
        let reader = ConfigReader(providers: [
            InMemoryProvider(name: "command line", values: values),
            EnvironmentVariablesProvider(),
        ])
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .trace
            return handler
        }
        try await oneLineErrors {
            let app = try await buildApplication(reader: reader)
            try await app.runService()
        }
    }
}
