import Foundation
import NIOSSL
import PostgresNIO
import QlippyModel
import QlippyStore

/// Where a PostgreSQL database is and how to log in, from a `postgres://` or `postgresql://` URL:
/// `postgres://USER:PASSWORD@HOST:PORT/DATABASE?sslmode=MODE&pool_size=N`, percent-encoded as usual.
///
/// As with libpq, a `host` query parameter naming a folder (`?host=/run/postgresql`) means the Unix
/// socket in that folder; `sslmode` is `disable`, `prefer` (the default: TLS when the server offers
/// it) or `require` (TLS or fail, certificates verified against the system's roots). `pool_size`
/// (ours, as in pgx's `pool_max_conns`) is how many connections a server keeps open.
public struct PostgresLocation: Sendable, Equatable {
    public var username: String
    public var password: String?
    public var host: String
    public var port: Int
    public var database: String
    /// The folder of the server's Unix socket, when connecting through one.
    public var socketFolder: String?
    public var sslMode: SSLMode
    public var poolSize: Int

    public static let defaultPoolSize = 16
    static let poolSizes = 1...1_000

    public enum SSLMode: String, Sendable, CaseIterable {
        case disable, prefer, require
    }

    /// Whether `text` names a PostgreSQL database rather than a SQLite file.
    public static func isURL(_ text: String) -> Bool {
        let lowered = text.lowercased()
        return lowered.hasPrefix("postgres://") || lowered.hasPrefix("postgresql://")
    }

    public init(url text: String) throws(PostgresLocationError) {
        guard Self.isURL(text), let components = URLComponents(string: text) else {
            throw PostgresLocationError(url: text, reason: "expected postgres://user:password@host:port/database")
        }
        let query = Dictionary(
            (components.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { first, _ in first }
        )
        username = components.percentEncodedUser.flatMap { $0.removingPercentEncoding } ?? "postgres"
        password = components.percentEncodedPassword.flatMap { $0.removingPercentEncoding }
        host = components.host.map { $0.isEmpty ? "localhost" : $0 } ?? "localhost"
        port = components.port ?? 5432
        database = String(components.path.drop { $0 == "/" }).removingPercentEncoding ?? ""
        if database.isEmpty { database = username }
        if let folder = query["host"], folder.hasPrefix("/") { socketFolder = folder }
        guard let mode = SSLMode(rawValue: query["sslmode"] ?? "prefer") else {
            throw PostgresLocationError(url: text, reason: "sslmode must be one of disable, prefer, require")
        }
        sslMode = mode
        poolSize = Self.defaultPoolSize
        if let size = query["pool_size"] {
            guard let size = Int(size), Self.poolSizes.contains(size) else {
                throw PostgresLocationError(
                    url: text, reason: "pool_size must be an integer from \(Self.poolSizes.lowerBound) to \(Self.poolSizes.upperBound)")
            }
            poolSize = size
        }
    }

    /// The URL without its password, for logs and errors.
    public var redacted: String {
        let server = socketFolder.map { "\(host)/\(database)?host=\($0)" } ?? "\(host):\(port)/\(database)"
        return "postgres://\(username)@\(server)"
    }

    package func clientConfiguration() throws -> PostgresClient.Configuration {
        var configuration: PostgresClient.Configuration
        if let socketFolder {
            configuration = .init(
                unixSocketPath: "\(socketFolder)/.s.PGSQL.\(port)", username: username, password: password, database: database
            )
        } else {
            let tls: PostgresClient.Configuration.TLS =
                switch sslMode {
                case .disable: .disable
                case .prefer: .prefer(.makeClientConfiguration())
                case .require: .require(.makeClientConfiguration())
                }
            configuration = .init(host: host, port: port, username: username, password: password, database: database, tls: tls)
        }
        configuration.options.connectTimeout = .seconds(5)
        // A fixed pool without keep-alive queries: otherwise the pool arms a timer each time a
        // connection goes idle (an idle timeout beyond the minimum count, and a keep-alive), and
        // each timer's sleep holds its memory until its deadline, cancelled or not. Health checks
        // on PostgreSQL grew the server from 37 MB to 169 MB in 15 s (heaptrack: 34 000 sleeps
        // outstanding after 17 000 requests), and the timers cost CPU. A connection the database
        // dropped is noticed when next used, which answers that request 503.
        configuration.options.minimumConnections = poolSize
        configuration.options.maximumConnections = poolSize
        configuration.options.keepAliveBehavior = nil
        return configuration
    }
}

/// A database URL the server cannot use; one line for the operator.
public struct PostgresLocationError: Error, CustomStringConvertible, Equatable {
    public var url: String
    public var reason: String

    public var description: String {
        "invalid PostgreSQL URL: \(reason)"
    }
}
