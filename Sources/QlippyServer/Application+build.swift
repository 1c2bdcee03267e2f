import Configuration
import HTTPTypes
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import QlippyPostgres
import QlippySQLite
import QlippyStore
import ServiceLifecycle

/// Builds the server from configuration: opens the store, assembles middleware and controllers.
///
/// The executable and the tests call this same function; tests pass an `InMemoryProvider`.
/// Throws ``SettingsError`` for a bad setting and `DatabaseOpenError` for a refused database,
/// both with one-line descriptions.
public func buildApplication(reader: ConfigReader) async throws -> some ApplicationProtocol {
    let settings = try ServerSettings(reader: reader)
    let logger = {
        var logger = Logger(label: "qlippy-server")
        logger.logLevel = settings.logLevel
        return logger
    }()

    let tls = try settings.tlsConfiguration()
    let metrics = ServerMetrics(
        version: HealthController.version, store: PostgresLocation.isURL(settings.database) ? "postgresql" : "sqlite")
    let store = try await openStore(settings, logger: logger, metrics: metrics.store)
    logger.info("opened database", metadata: ["store": "\(store.description)"])

    let feed = try await ChangeFeed(
        store: store, buffer: settings.eventBuffer, heartbeat: .seconds(settings.eventHeartbeat), logger: logger)
    let http = HTTPServerBuilder.http1(
        configuration: httpConfiguration(settings, connections: ConnectionCounter(limit: settings.maxConnections), logger: logger))
    return Application(
        router: try await buildRoutes(store: store, feed: feed, metrics: metrics, settings: settings, logger: logger),
        server: try tls.map { try .tls(http, tlsConfiguration: $0) } ?? http,
        configuration: .init(address: .hostname(settings.host, port: settings.port), serverName: "qlippy-server"),
        // Shut down in reverse order: the feed stops reading before the store closes.
        services: [
            StoreService(store: store, runsBackgroundWork: settings.searchIndexing, logger: logger), feed,
            ExpirySweeper(store: store, retention: settings.retention, logger: logger),
        ],
        onServerRunning: { channel in
            logger.info(
                "listening",
                metadata: [
                    "address": "\(tls == nil ? "http" : "https")://\(settings.host):\(channel.localAddress?.port ?? settings.port)",
                    "store": "\(store.description)",
                ])
        },
        logger: logger
    )
}

/// HTTP/1.1 limits: idle connections are closed after the idle timeout, requests whose body has not
/// arrived within the request timeout too, request heads are capped (``HTTPLimits``; a bigger head
/// is refused before any handler runs), connections beyond `--max-connections` are answered 503,
/// and unreadable requests get a JSON 400.
func httpConfiguration(_ settings: ServerSettings, connections: ConnectionCounter, logger: Logger) -> HTTP1Channel.Configuration {
    HTTP1Channel.Configuration(
        additionalChannelHandlers: [
            ProtocolErrorHandler(),
            ConnectionLimitHandler(counter: connections, logger: logger),
            RequestTimeoutHandler(timeout: .seconds(Int64(settings.requestTimeout)), logger: logger),
        ],
        idleTimeout: .seconds(Int64(settings.idleTimeout)),
        httpDecoderConfiguration: .init(
            maxHeaderFieldSize: HTTPLimits.headerFieldSize, maxHeaderListSize: HTTPLimits.headerListSize,
            maxHeaderFieldCount: HTTPLimits.headerFieldCount
        )
    )
}

/// The largest request head the server reads: a header line, all headers, and how many.
enum HTTPLimits {
    static let headerFieldSize = 16 * 1024
    static let headerListSize = 32 * 1024
    static let headerFieldCount = 100
}

/// The store the database setting names: PostgreSQL for a `postgres://` URL, else a SQLite file.
/// Also used by the command-line tools that work on a store (`import`, `export`).
public func openStore(_ settings: ServerSettings, logger: Logger, metrics: StoreMetrics = .none) async throws -> any ChatStore {
    if PostgresLocation.isURL(settings.database) {
        return try await PostgresStore.open(
            location: PostgresLocation(url: settings.database), logger: logger, metrics: metrics, searchScanLimit: settings.searchScanLimit)
    }
    return try SQLiteStore(database: AppDatabase.open(path: settings.database), searchScanLimit: settings.searchScanLimit, metrics: metrics)
}

/// The router with every controller and middleware, in the order requests pass through them.
/// Its `routes` are what the OpenAPI document must list, no more, no fewer.
func buildRoutes(store: any ChatStore, feed: ChangeFeed, metrics: ServerMetrics, settings: ServerSettings, logger: Logger) async throws
    -> Router<AppRequestContext>
{
    let router = Router(context: AppRequestContext.self)
    router.add(middleware: RequestLogMiddleware())
    router.add(middleware: RequestMetricsMiddleware(metrics: metrics))
    router.add(middleware: AllowedHostsMiddleware(hosts: AllowedHosts(listed: settings.allowedHosts, boundHost: settings.host)))
    router.add(middleware: AllowedOriginsCORSMiddleware(allowedOrigins: Set(settings.corsOrigins)))
    router.add(middleware: JSONErrorMiddleware(maxBodySize: settings.maxBodySize))
    if settings.rateLimit > 0 {
        // Before the credential checks: guessing tokens is limited like any other request.
        router.add(
            middleware: RateLimitMiddleware(
                buckets: TokenBuckets(ratePerSecond: settings.rateLimit, burst: settings.rateLimitBurst),
                key: .address(limitsLoopback: settings.rateLimitLoopback)
            ))
    }
    if let token = settings.apiToken {
        router.add(
            middleware: APITokenMiddleware(
                token: token, openPrefixes: settings.shareLinks == .public ? APITokenMiddleware.sharePrefixes : []))
    }
    let accounts = settings.auth == .accounts ? try await accountsMode(store: store, settings: settings) : nil
    if let accounts {
        router.add(
            middleware: AuthenticationMiddleware(
                tokens: accounts.tokens, keys: store, keyHolders: APIKeyHolders(), tickets: accounts.tickets,
                external: ExternalUsers(store: store, signup: settings.signup),
                proxies: settings.trustedProxies.isEmpty
                    ? nil : HTTPField.Name(settings.authHeader).map { TrustedProxies(ranges: settings.trustedProxies, header: $0) },
                provider: settings.oidcIssuer.map { issuer in
                    OpenIDConnect(issuer: issuer, audience: settings.oidcAudience ?? "", userClaim: settings.oidcUserClaim, logger: logger)
                }))
        if settings.rateLimit > 0 {
            // After the credential: each user has a bucket of their own, wherever they send from.
            router.add(
                middleware: RateLimitMiddleware(
                    buckets: TokenBuckets(ratePerSecond: settings.rateLimit, burst: settings.rateLimitBurst), key: .caller))
        }
    }
    let routes = RouteGroups(
        router: router,
        access: accounts.map { _ in
            AccessMiddleware.Checks(owners: store, keys: store, signup: settings.signup, adminChatAccess: settings.adminChatAccess)
        })

    let posts = IdempotentPosts(store: store)
    HealthController(store: store).addRoutes(to: routes)
    UserController(store: store, posts: posts, maxBodySize: settings.maxBodySize, createsUsers: accounts == nil).addRoutes(to: routes)
    ConversationController(
        store: store, posts: posts, maxBodySize: settings.maxBodySize, temporaryRetention: .seconds(settings.temporaryRetention)
    ).addRoutes(to: routes)
    MessageController(store: store, posts: posts, maxBodySize: settings.maxBodySize).addRoutes(to: routes)
    PluginController(store: store, posts: posts, maxBodySize: settings.maxBodySize).addRoutes(to: routes)
    FolderController(store: store, maxBodySize: settings.maxBodySize).addRoutes(to: routes)
    TagController(store: store, maxBodySize: settings.maxBodySize).addRoutes(to: routes)
    if settings.shareLinks != .off {
        ShareController(store: store, scheme: settings.tlsCert == nil ? "http" : "https").addRoutes(
            to: routes, readers: settings.shareLinks == .public ? routes.open : routes.signedIn)
    }
    SearchController(store: store).addRoutes(to: routes)
    UsageController(store: store).addRoutes(to: routes)
    EventController(store: store, feed: feed).addRoutes(to: routes)
    TransferController(store: store, posts: posts, maxImportSize: settings.maxImportSize).addRoutes(to: routes)
    OpenAPIController(mode: settings.auth, backups: store is any StoreBackups, shareLinks: settings.shareLinks).addRoutes(to: routes)
    MetricsController(metrics: metrics, feed: feed, store: store).addRoutes(to: routes)
    if settings.auth != .none, let backups = store as? any StoreBackups {
        AdminController(store: backups, settings: settings, posts: posts).addRoutes(to: routes)
    }
    if let accounts {
        AuthController(accounts: accounts.service, tickets: accounts.tickets, maxBodySize: settings.maxBodySize).addRoutes(to: routes)
        APIKeyController(store: store, maxBodySize: settings.maxBodySize).addRoutes(to: routes)
        AccountController(accounts: accounts.service, posts: posts, maxBodySize: settings.maxBodySize).addRoutes(to: routes)
    }
    // `OPTIONS` and 405 for the router's own paths: added last, the middleware wraps only "not found".
    router.add(middleware: MethodAnswerMiddleware(routes: router.routes))
    return router
}

/// What accounts mode runs on: the token signer (with the shared secret), the account rules and
/// the stream tickets.
private func accountsMode(store: any ChatStore, settings: ServerSettings) async throws
    -> (tokens: AccessTokens, service: AccountService, tickets: StreamTickets)
{
    let secret = try await AccountService.signingSecret(configured: settings.authSecret, store: store)
    let tokens = await AccessTokens(secret: secret, lifetime: .seconds(settings.accessTokenLifetime))
    let service = AccountService(store: store, tokens: tokens, refreshLifetime: .seconds(settings.refreshTokenLifetime))
    return (tokens, service, StreamTickets())
}

/// Runs the store's background work, and closes the store once the server has stopped taking requests.
///
/// Listed among the application's services, it is shut down after the HTTP server has drained
/// its in-flight requests, so no request sees a closed database.
struct StoreService: Service {
    let store: any ChatStore
    /// `--search-indexing`: the store's background work is its search indexing.
    let runsBackgroundWork: Bool
    let logger: Logger

    func run() async throws {
        let (store, logger) = (store, logger)
        if runsBackgroundWork {
            await cancelWhenGracefulShutdown {
                await store.runBackgroundWork { event in Self.log(event, logger) }
            }
        } else {
            try? await gracefulShutdown()
        }
        try await store.close()
        logger.info("database closed")
    }

    static func log(_ event: BackgroundEvent, _ logger: Logger) {
        switch event {
        case .indexing(let behind, let perSecond):
            let estimate = perSecond > 0 ? ", about \(behind / perSecond + 1) s to go" : ""
            logger.info(
                "search index: \(behind) messages to index, \(perSecond) a second\(estimate); searches scan them meanwhile",
                metadata: ["behind": "\(behind)"])
        case .failed(let error):
            logger.error("search indexing failed, trying again: \(error)")
        }
    }
}
