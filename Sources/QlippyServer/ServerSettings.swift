import Configuration
import Foundation
import HTTPTypes
import Logging
import QlippyPostgres
import QlippySQLite
import QlippyStore

/// Everything the server can be told at start, read from a `ConfigReader` and validated.
///
/// Keys live under `qlippy.` (`qlippy.maxBodySize`), which the environment provider spells
/// `QLIPPY_MAX_BODY_SIZE`. Values are read as text and parsed here, so that a bad value becomes a
/// one-line ``SettingsError`` naming the setting instead of a silent default.
public struct ServerSettings: Sendable, Equatable {
    public var host = "127.0.0.1"
    public var port = 5001
    /// A SQLite file path, or a `postgres://` URL (``PostgresLocation``).
    public var database = "qlippy.db"
    public var corsOrigins = ["http://localhost:3000", "http://localhost:3001"]
    /// Host names answered besides the loopback names and `host` itself (``AllowedHosts``): the
    /// names a proxy or a team reaches the server by; `.example.com` takes a whole domain.
    public var allowedHosts: [String] = []
    public var maxBodySize = 16 * 1024 * 1024
    /// Largest import file (`POST /api/users/{id}/import`): a whole history, not one message.
    public var maxImportSize = 1024 * 1024 * 1024
    public var logLevel = Logger.Level.info
    /// Users with at most this many messages are searched by scanning them instead of the index,
    /// on either store (``SearchScan``); 0 sends every search of three characters or more to the index.
    public var searchScanLimit = SearchScan.defaultLimit
    /// Whether this server indexes new messages for search behind the writes (SQLite). Off, the
    /// index stays where it is and searches scan what is above it: to measure that, or to leave
    /// the indexing of a shared file to another server.
    public var searchIndexing = true
    /// The token every route but `/api/health` requires as `Authorization: Bearer …` when set;
    /// from `QLIPPY_API_TOKEN` or the file `--api-token-file` names (never a command-line value,
    /// which other users of the machine can read in the process list). Required to listen
    /// beyond loopback.
    public var apiToken: String?
    /// Who may use the server: no credential, the one token, or accounts (``AuthMode``). Without
    /// the setting: `token` when a token is set, else `none`.
    public var auth = AuthMode.none
    /// The secret access tokens are signed with, from `QLIPPY_AUTH_SECRET` or `--auth-secret-file`;
    /// without one, the server generates one on first start and keeps it in the database, so that
    /// every server of a PostgreSQL database signs alike.
    public var authSecret: String?
    /// Seconds an access token is valid (signed, checked without the database).
    public var accessTokenLifetime = 3_600
    /// Seconds a refresh token is valid; each use replaces it.
    public var refreshTokenLifetime = 30 * 86_400
    /// Whether anyone may create an account (`POST /api/users` with a password, rate-limited).
    public var signup = SignupPolicy.closed
    /// Whether admins may read other users' chats (each such read is logged).
    public var adminChatAccess = false
    /// Addresses of authenticating proxies (oauth2-proxy, Authelia, Authentik) whose ``authHeader``
    /// names the user; the header from any other address is ignored (and logged).
    public var trustedProxies: [AddressRange] = []
    public var authHeader = "X-Forwarded-User"
    /// An OpenID Connect provider whose bearer tokens (for ``oidcAudience``) sign users in; the
    /// ``oidcUserClaim`` names the user.
    public var oidcIssuer: String?
    public var oidcAudience: String?
    public var oidcUserClaim = "preferred_username"
    /// Seconds a connection may stay without sending anything (between requests, or in the middle
    /// of one) before the server closes it: a stalled or slow client cannot hold a connection.
    public var idleTimeout = 30
    /// Seconds a request may take to arrive whole, from its head to the end of its body: a client
    /// trickling a body cannot hold a connection (60 s lets 16 MB arrive at 270 KB/s).
    public var requestTimeout = 60
    /// Open connections the server serves at once; one more is answered 503 and closed.
    public var maxConnections = 512
    /// Requests per second each client address may send on average (a token bucket); 0 turns the
    /// limit off. Beyond it: 429 with `Retry-After`.
    public var rateLimit = 20
    /// Seconds a temporary chat (`"temporary": true`) lives before it expires.
    public var temporaryRetention = 30 * 86_400
    /// Days after which a conversation nobody touched (its `last_updated`) is deleted; `nil`: kept.
    public var retention: Int?
    /// Who may read share links.
    public var shareLinks = ShareLinkPolicy.public
    /// How many requests a client may send at once before the average rate applies.
    public var rateLimitBurst = 40
    /// Whether clients on this machine are limited too. Off by default: the desktop app talks to
    /// its own server over loopback, and a local user can stop the server anyway.
    public var rateLimitLoopback = false
    /// PEM certificate chain and private key: with both, the server speaks HTTPS only.
    public var tlsCert: String?
    public var tlsKey: String?
    /// Where `POST /api/admin/backup` writes its snapshots; by default `<database>-backups/`
    /// beside a SQLite file.
    public var backupDirectory: String?
    /// Seconds between the comments that keep an idle event stream (`/api/users/{id}/events`)
    /// open through proxies.
    public var eventHeartbeat = 15
    /// Events queued for one event stream that is not read fast enough; past it the stream ends
    /// with a `reset` event, and writers never wait for a reader.
    public var eventBuffer = 1_000

    /// The shortest token accepted: anything shorter is guessable.
    public static let minimumTokenLength = 16

    public init() {}

    /// Whether `host` only accepts connections from this machine.
    public var listensOnLoopbackOnly: Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }

    /// The settings, each named by its flag and environment variable, for `--help` and errors.
    public enum Key: String, CaseIterable, Sendable {
        case host, port, database, corsOrigins, maxBodySize, logLevel, searchScanLimit, searchIndexing, apiToken, apiTokenFile, idleTimeout,
            requestTimeout, maxConnections
        case maxImportSize, rateLimit, rateLimitBurst, rateLimitLoopback, tlsCert, tlsKey, backupDirectory, eventHeartbeat, eventBuffer
        case allowedHosts, auth, authSecret, authSecretFile, accessTokenLifetime, refreshTokenLifetime, signup, adminChatAccess
        case trustedProxies, authHeader, oidcIssuer, oidcAudience, oidcUserClaim, temporaryRetention, retention, shareLinks

        public var configKey: String { "qlippy.\(rawValue)" }
        /// Secrets have no flag: a command line shows in the process list.
        public var hasNoFlag: Bool { self == .apiToken || self == .authSecret }
        public var flag: String { "--" + words.joined(separator: "-") }
        public var environmentVariable: String { "QLIPPY_" + words.joined(separator: "_").uppercased() }

        private var words: [String] {
            var words = [""]
            for character in rawValue {
                if character.isUppercase { words.append("") }
                words[words.count - 1].append(character.lowercased())
            }
            return words
        }
    }

    public init(reader: ConfigReader) throws(SettingsError) {
        func text(_ key: Key) -> String? {
            reader.string(forKey: ConfigKey(key.configKey)).map { $0.trimmingCharacters(in: .whitespaces) }
        }
        func integer(_ key: Key, in range: ClosedRange<Int>) throws(SettingsError) -> Int? {
            guard let raw = text(key) else { return nil }
            guard let value = Int(raw), range.contains(value) else {
                throw SettingsError(key: key, value: raw, expected: "an integer from \(range.lowerBound) to \(range.upperBound)")
            }
            return value
        }
        if let host = text(.host) {
            guard !host.isEmpty else { throw SettingsError(key: .host, value: host, expected: "a host name or IP address") }
            self.host = host
        }
        if let port = try integer(.port, in: 0...65_535) { self.port = port }
        if let database = text(.database) {
            guard !database.isEmpty else { throw SettingsError(key: .database, value: database, expected: "a file path") }
            self.database = database
        }
        if let origins = text(.corsOrigins) {
            corsOrigins = origins.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        if let hosts = text(.allowedHosts) {
            allowedHosts = hosts.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            if let bad = allowedHosts.first(where: { !AllowedHosts.isValidEntry($0) }) {
                throw SettingsError(key: .allowedHosts, value: bad, expected: "host names or .domains, comma-separated, without ports")
            }
        }
        if let size = try integer(.maxBodySize, in: 1...Int(Int32.max)) { maxBodySize = size }
        if let size = try integer(.maxImportSize, in: 1...(1 << 40)) { maxImportSize = size }
        if let level = text(.logLevel) {
            guard let parsed = Logger.Level(rawValue: level.lowercased()) else {
                let names = Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")
                throw SettingsError(key: .logLevel, value: level, expected: "one of \(names)")
            }
            logLevel = parsed
        }
        if let limit = try integer(.searchScanLimit, in: 0...Int(Int32.max)) { searchScanLimit = limit }
        if let seconds = try integer(.idleTimeout, in: 1...3_600) { idleTimeout = seconds }
        if let seconds = try integer(.requestTimeout, in: 1...3_600) { requestTimeout = seconds }
        if let count = try integer(.maxConnections, in: 1...100_000) { maxConnections = count }
        if let seconds = try integer(.eventHeartbeat, in: 1...3_600) { eventHeartbeat = seconds }
        if let count = try integer(.eventBuffer, in: 1...1_000_000) { eventBuffer = count }
        if let rate = try integer(.rateLimit, in: 0...1_000_000) { rateLimit = rate }
        if let burst = try integer(.rateLimitBurst, in: 1...1_000_000) { rateLimitBurst = burst }
        if let loopback = text(.rateLimitLoopback) { rateLimitLoopback = try Self.flag(loopback, .rateLimitLoopback) }
        tlsCert = text(.tlsCert)
        tlsKey = text(.tlsKey)
        if (tlsCert == nil) != (tlsKey == nil) {
            let missing: Key = tlsCert == nil ? .tlsCert : .tlsKey
            throw SettingsError(
                key: missing, value: "", expected: "a PEM file: HTTPS needs both \(Key.tlsCert.flag) and \(Key.tlsKey.flag)")
        }
        backupDirectory = text(.backupDirectory)
        apiToken = try Self.token(text(.apiToken), file: text(.apiTokenFile))
        try readAccountSettings(text, integer)
        if auth == .none && !listensOnLoopbackOnly {
            throw SettingsError(
                key: .host, value: host,
                expected: "a loopback address (127.0.0.1, ::1, localhost), unless an API token is set with "
                    + "\(Key.apiToken.environmentVariable) or \(Key.apiTokenFile.flag) FILE, or \(Key.auth.flag) is accounts"
            )
        }
    }

    /// The mode and, in accounts mode, its settings.
    private mutating func readAccountSettings(
        _ text: (Key) -> String?, _ integer: (Key, ClosedRange<Int>) throws(SettingsError) -> Int?
    ) throws(SettingsError) {
        func choice<Choice: RawRepresentable & CaseIterable>(_ key: Key, _: Choice.Type) throws(SettingsError) -> Choice?
        where Choice.RawValue == String {
            guard let raw = text(key) else { return nil }
            guard let value = Choice(rawValue: raw.lowercased()) else {
                throw SettingsError(key: key, value: raw, expected: "one of " + Choice.allCases.map(\.rawValue).joined(separator: ", "))
            }
            return value
        }
        auth = try choice(.auth, AuthMode.self) ?? (apiToken == nil ? .none : .token)
        if (auth == .token) != (apiToken != nil) {
            throw SettingsError(
                key: .auth, value: auth.rawValue,
                expected: auth == .token
                    ? "a token: set \(Key.apiToken.environmentVariable) or \(Key.apiTokenFile.flag)"
                    : "token, since an API token is set (or unset \(Key.apiToken.environmentVariable) and \(Key.apiTokenFile.flag))")
        }
        authSecret = try Self.secret(text(.authSecret), file: text(.authSecretFile))
        if let seconds = try integer(.accessTokenLifetime, 60...86_400) { accessTokenLifetime = seconds }
        if let seconds = try integer(.refreshTokenLifetime, 60...(365 * 86_400)) { refreshTokenLifetime = seconds }
        signup = try choice(.signup, SignupPolicy.self) ?? signup
        if let raw = text(.adminChatAccess) { adminChatAccess = try Self.flag(raw, .adminChatAccess) }
        if let raw = text(.searchIndexing) { searchIndexing = try Self.flag(raw, .searchIndexing) }
        if let raw = text(.temporaryRetention) { temporaryRetention = try Self.duration(raw, .temporaryRetention) }
        retention = try integer(.retention, 1...36_500)
        shareLinks = try choice(.shareLinks, ShareLinkPolicy.self) ?? shareLinks
        try readSingleSignOn(text)
    }

    /// The proxy header and OpenID Connect settings; each needs accounts mode.
    private mutating func readSingleSignOn(_ text: (Key) -> String?) throws(SettingsError) {
        if let list = text(.trustedProxies) {
            for entry in list.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !entry.isEmpty {
                guard let range = AddressRange(entry) else {
                    throw SettingsError(
                        key: .trustedProxies, value: entry, expected: "IP addresses or CIDR blocks (10.0.0.0/8), comma-separated")
                }
                trustedProxies.append(range)
            }
        }
        if let header = text(.authHeader) {
            guard HTTPField.Name(header) != nil else { throw SettingsError(key: .authHeader, value: header, expected: "a header name") }
            authHeader = header
        }
        oidcIssuer = text(.oidcIssuer)
        oidcAudience = text(.oidcAudience)
        if let claim = text(.oidcUserClaim) { oidcUserClaim = claim }
        if let issuer = oidcIssuer {
            guard let url = URL(string: issuer), ["https", "http"].contains(url.scheme ?? ""), url.host != nil else {
                throw SettingsError(key: .oidcIssuer, value: issuer, expected: "the provider's issuer URL (https://…)")
            }
            guard oidcAudience != nil else {
                throw SettingsError(
                    key: .oidcAudience, value: "", expected: "the client id tokens are issued for: it goes with \(Key.oidcIssuer.flag)")
            }
        }
        for (key, isSet) in [(Key.trustedProxies, !trustedProxies.isEmpty), (.oidcIssuer, oidcIssuer != nil)]
        where isSet && auth != .accounts {
            throw SettingsError(key: key, value: text(key) ?? "", expected: "\(Key.auth.flag) accounts: it signs users in")
        }
    }

    /// The signing secret from its variable or its file (not both); at least 32 bytes.
    private static func secret(_ value: String?, file: String?) throws(SettingsError) -> String? {
        guard let secret = try secretText(value, file: file, keys: (.authSecret, .authSecretFile), noun: "secret") else { return nil }
        guard secret.utf8.count >= 32 else {
            throw SettingsError(
                key: value == nil ? .authSecretFile : .authSecret, value: file ?? "(hidden)", expected: "a secret of at least 32 bytes")
        }
        return secret
    }

    /// The token from its variable or its file (not both); errors never repeat the token.
    private static func token(_ value: String?, file: String?) throws(SettingsError) -> String? {
        guard let token = try secretText(value, file: file, keys: (.apiToken, .apiTokenFile), noun: "token") else { return nil }
        guard token.count >= minimumTokenLength, !token.contains(where: \.isWhitespace) else {
            throw SettingsError(
                key: value == nil ? .apiTokenFile : .apiToken, value: file ?? "(hidden)",
                expected: "a token of at least \(minimumTokenLength) characters without spaces"
            )
        }
        return token
    }

    /// A secret given as a variable's value or in the file its file setting names, trimmed; both
    /// at once is an error. Errors name the file, never the secret.
    private static func secretText(_ value: String?, file: String?, keys: (value: Key, file: Key), noun: String) throws(SettingsError)
        -> String?
    {
        guard let file else { return value }
        guard value == nil else {
            throw SettingsError(key: keys.file, value: file, expected: "either it or \(keys.value.environmentVariable), not both")
        }
        guard let contents = try? String(contentsOfFile: file, encoding: .utf8) else {
            throw SettingsError(key: keys.file, value: file, expected: "a readable file holding the \(noun)")
        }
        return contents.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A duration in seconds: a number with a unit, `s`, `m`, `h` or `d` (`2s`, `12h`, `30d`), up
    /// to ten years.
    private static func duration(_ raw: String, _ key: Key) throws(SettingsError) -> Int {
        let units = ["s": 1, "m": 60, "h": 3_600, "d": 86_400]
        guard let unit = raw.last.flatMap({ units[String($0)] }), let count = Int(raw.dropLast()), count > 0,
            count <= 3_650 * 86_400 / unit
        else { throw SettingsError(key: key, value: raw, expected: "a duration with its unit: 2s, 45m, 12h or 30d") }
        return count * unit
    }

    /// `true` or `false`, in any case.
    private static func flag(_ raw: String, _ key: Key) throws(SettingsError) -> Bool {
        guard let flag = ["true": true, "false": false][raw.lowercased()] else {
            throw SettingsError(key: key, value: raw, expected: "true or false")
        }
        return flag
    }
}

/// A setting with a value the server cannot use. Its description is one line for the operator.
public struct SettingsError: Error, CustomStringConvertible, Equatable {
    public var key: ServerSettings.Key
    public var value: String
    public var expected: String

    public var description: String {
        let names = key.hasNoFlag ? key.environmentVariable : "\(key.flag) / \(key.environmentVariable)"
        return "invalid \(names) value '\(value)': expected \(expected)"
    }
}
