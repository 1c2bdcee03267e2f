import Configuration
import Logging
import QlippyModel
import QlippyTestSupport
import Testing

@testable import QlippyServer

@Suite("Settings from configuration")
struct SettingsTests {
    private func settings(_ values: [String: String]) throws(SettingsError) -> ServerSettings {
        try ServerSettings(reader: TestServer.reader(values))
    }

    @Test func defaultsAreTheEmbeddedSetup() throws {
        let defaults = try settings([:])
        #expect(defaults.host == "127.0.0.1")
        #expect(defaults.port == 5001)
        #expect(defaults.database == "qlippy.db")
        #expect(defaults.corsOrigins == ["http://localhost:3000", "http://localhost:3001"])
        #expect(defaults.maxBodySize == 16 * 1024 * 1024)
        #expect(defaults.logLevel == .info)
        #expect(defaults.searchScanLimit == 2_000)
        #expect(defaults.idleTimeout == 30)
        #expect(defaults.maxConnections == 512)
        #expect(defaults.requestTimeout == 60)
        #expect(defaults.rateLimit == 20 && defaults.rateLimitBurst == 40 && !defaults.rateLimitLoopback)
        #expect(defaults.tlsCert == nil && defaults.tlsKey == nil && defaults.backupDirectory == nil)
    }

    @Test func everySettingIsRead() throws {
        let custom = try settings([
            "host": "0.0.0.0", "port": "8080", "database": "/tmp/x.db", "corsOrigins": "https://a.example, https://b.example",
            "maxBodySize": "2048", "logLevel": "DEBUG", "searchScanLimit": "0", "apiToken": "a-token-of-twenty-chars", "idleTimeout": "5",
            "maxConnections": "64", "requestTimeout": "9", "rateLimit": "0", "rateLimitBurst": "5", "rateLimitLoopback": "TRUE",
            "tlsCert": "/etc/q/cert.pem", "tlsKey": "/etc/q/key.pem", "backupDirectory": "/var/backups/q",
            "allowedHosts": "chat.example.com, .team.example",
        ])
        #expect(custom.host == "0.0.0.0")
        #expect(custom.allowedHosts == ["chat.example.com", ".team.example"])
        #expect(custom.port == 8080)
        #expect(custom.database == "/tmp/x.db")
        #expect(custom.corsOrigins == ["https://a.example", "https://b.example"])
        #expect(custom.maxBodySize == 2048)
        #expect(custom.logLevel == .debug)
        #expect(custom.searchScanLimit == 0)
        #expect(custom.apiToken == "a-token-of-twenty-chars")
        #expect(custom.idleTimeout == 5)
        #expect(custom.maxConnections == 64)
        #expect(custom.requestTimeout == 9)
        #expect(custom.rateLimit == 0 && custom.rateLimitBurst == 5 && custom.rateLimitLoopback)
        #expect(custom.tlsCert == "/etc/q/cert.pem" && custom.tlsKey == "/etc/q/key.pem")
        #expect(custom.backupDirectory == "/var/backups/q")
    }

    @Test func accountSettingsAreReadAndCheckedTogether() throws {
        let custom = try settings([
            "auth": "ACCOUNTS", "host": "0.0.0.0", "signup": "open", "adminChatAccess": "true", "accessTokenLifetime": "600",
            "refreshTokenLifetime": "86400", "trustedProxies": "10.0.0.0/8, ::1", "authHeader": "X-Auth-Request-User",
            "oidcIssuer": "https://id.example.com/realms/team", "oidcAudience": "qlippy", "oidcUserClaim": "email",
            "authSecret": String(repeating: "s", count: 32),
        ])
        #expect(custom.auth == .accounts && custom.signup == .open && custom.adminChatAccess)
        #expect(custom.accessTokenLifetime == 600 && custom.refreshTokenLifetime == 86_400 && custom.trustedProxies.count == 2)
        #expect(custom.authHeader == "X-Auth-Request-User" && custom.oidcUserClaim == "email" && custom.oidcAudience == "qlippy")
        let defaults = try settings([:])
        #expect(defaults.auth == .none && defaults.signup == .closed && !defaults.adminChatAccess && defaults.accessTokenLifetime == 3_600)
        #expect(try settings(["apiToken": "a-token-of-twenty-chars"]).auth == .token, "a token alone means token mode")
        let refused: [([String: String], String)] = [
            (["auth": "ldap"], "invalid --auth / QLIPPY_AUTH value 'ldap': expected one of none, token, accounts"),
            (["auth": "token"], "invalid --auth / QLIPPY_AUTH value 'token': expected a token: set QLIPPY_API_TOKEN or --api-token-file"),
            (
                ["auth": "accounts", "authSecret": "short"],
                "invalid QLIPPY_AUTH_SECRET value '(hidden)': expected a secret of at least 32 bytes"
            ),
            (
                ["auth": "accounts", "trustedProxies": "proxy.example"],
                "invalid --trusted-proxies / QLIPPY_TRUSTED_PROXIES value 'proxy.example': expected IP addresses or CIDR blocks (10.0.0.0/8), comma-separated"
            ),
            (
                ["trustedProxies": "10.0.0.1"],
                "invalid --trusted-proxies / QLIPPY_TRUSTED_PROXIES value '10.0.0.1': expected --auth accounts: it signs users in"
            ),
            (
                ["auth": "accounts", "oidcIssuer": "https://id.example.com"],
                "invalid --oidc-audience / QLIPPY_OIDC_AUDIENCE value '': expected the client id tokens are issued for: it goes with --oidc-issuer"
            ),
            (
                ["auth": "accounts", "accessTokenLifetime": "5"],
                "invalid --access-token-lifetime / QLIPPY_ACCESS_TOKEN_LIFETIME value '5': expected an integer from 60 to 86400"
            ),
        ]
        for (values, message) in refused {
            #expect(throws: SettingsError.self) { try settings(values) }
            do {
                _ = try settings(values)
            } catch {
                #expect(error.description == message)
            }
        }
    }

    /// Beyond loopback only with a token; the error says how to set one, and never shows a token.
    @Test func exposureNeedsAToken() throws {
        #expect(try settings([:]).apiToken == nil)
        for host in ["127.0.0.1", "127.0.0.2", "::1", "localhost"] {
            #expect(try settings(["host": host]).listensOnLoopbackOnly)
        }
        #expect(
            throws: SettingsError(
                key: .host, value: "0.0.0.0",
                expected:
                    "a loopback address (127.0.0.1, ::1, localhost), unless an API token is set with QLIPPY_API_TOKEN or --api-token-file FILE, or --auth is accounts"
            )
        ) { try settings(["host": "0.0.0.0"]) }

        let folder = try makeTemporaryDirectory()
        let file = folder.appendingPathComponent("token").path
        try "  from-a-file-0123456789\n".write(toFile: file, atomically: true, encoding: .utf8)
        #expect(try settings(["host": "0.0.0.0", "apiTokenFile": file]).apiToken == "from-a-file-0123456789")

        let short = SettingsError(key: .apiToken, value: "(hidden)", expected: "a token of at least 16 characters without spaces")
        #expect(throws: short) { try settings(["apiToken": "secret"]) }
        #expect(short.description == "invalid QLIPPY_API_TOKEN value '(hidden)': expected a token of at least 16 characters without spaces")
        #expect(throws: SettingsError(key: .apiTokenFile, value: file, expected: "either it or QLIPPY_API_TOKEN, not both")) {
            try settings(["apiToken": "a-token-of-twenty-chars", "apiTokenFile": file])
        }
        let missing = folder.appendingPathComponent("absent").path
        #expect(throws: SettingsError(key: .apiTokenFile, value: missing, expected: "a readable file holding the token")) {
            try settings(["apiTokenFile": missing])
        }
    }

    @Test(arguments: [
        ("port", "http", "invalid --port / QLIPPY_PORT value 'http': expected an integer from 0 to 65535"),
        ("port", "70000", "invalid --port / QLIPPY_PORT value '70000': expected an integer from 0 to 65535"),
        ("maxBodySize", "-1", "invalid --max-body-size / QLIPPY_MAX_BODY_SIZE value '-1': expected an integer from 1 to 2147483647"),
        (
            "logLevel", "loud",
            "invalid --log-level / QLIPPY_LOG_LEVEL value 'loud': expected one of trace, debug, info, notice, warning, error, critical"
        ),
        (
            "searchScanLimit", "-5",
            "invalid --search-scan-limit / QLIPPY_SEARCH_SCAN_LIMIT value '-5': expected an integer from 0 to 2147483647"
        ),
        ("database", "", "invalid --database / QLIPPY_DATABASE value '': expected a file path"),
        ("maxConnections", "0", "invalid --max-connections / QLIPPY_MAX_CONNECTIONS value '0': expected an integer from 1 to 100000"),
        ("rateLimitLoopback", "yes", "invalid --rate-limit-loopback / QLIPPY_RATE_LIMIT_LOOPBACK value 'yes': expected true or false"),
        (
            "tlsCert", "/etc/q/cert.pem",
            "invalid --tls-key / QLIPPY_TLS_KEY value '': expected a PEM file: HTTPS needs both --tls-cert and --tls-key"
        ),
    ])
    func badValuesAreOneLineErrors(key: String, value: String, message: String) {
        #expect(throws: SettingsError.self) { try settings([key: value]) }
        do {
            _ = try settings([key: value])
        } catch {
            #expect(error.description == message)
        }
    }

    @Test func flagAndVariableNamesFollowTheKey() {
        #expect(ServerSettings.Key.corsOrigins.flag == "--cors-origins")
        #expect(ServerSettings.Key.corsOrigins.environmentVariable == "QLIPPY_CORS_ORIGINS")
        #expect(ServerSettings.Key.maxBodySize.environmentVariable == "QLIPPY_MAX_BODY_SIZE")
    }
}
