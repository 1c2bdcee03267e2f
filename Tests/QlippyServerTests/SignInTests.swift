import Foundation
import HTTPTypes
import HummingbirdTesting
import QlippyJSON
import QlippyTestSupport
import Testing

@testable import QlippyServer

/// Accounts mode: passwords, sessions, refresh rotation and the tokens the server accepts.
@Suite("Sign-in and tokens")
struct SignInTests {
    @Test func signInAnswersTheTokenPairAndTheUser() async throws {
        try await Accounts.server().run { client in
            let created = try await client.post("/api/users", #"{"username": "ada", "password": "\#(Accounts.password)"}"#)
            #expect(created.status == .created)
            #expect(try created.json.string("role") == "user" && created.json["has_password"] as? Bool == true)
            let response = try await client.post("/api/auth/login", #"{"username": "ada", "password": "\#(Accounts.password)"}"#)
            #expect(response.status == .ok)
            let json = try response.json
            #expect(json.object.keys.sorted() == ["access_token", "expires_in", "refresh_token", "token_type", "user"])
            #expect(json.string("token_type") == "Bearer" && json.int("expires_in") == 3_600)
            #expect(json.string("refresh_token")?.hasPrefix("qlr_") == true)
            #expect(AccessTokens.headerAlgorithm(of: try #require(json.string("access_token"))) == "HS256")
            let me = try await client.send(.get, "/api/auth/me", bearer: json.string("access_token"))
            #expect(try me.json.string("username") == "ada")
            #expect(!String(buffer: me.body).contains("$2"), "no hash in an answer")
        }
    }

    @Test func wrongPasswordAndUnknownUserAnswerAlike() async throws {
        try await Accounts.server().run { client in
            _ = try await client.signUp("ada")
            var wrong: [Duration] = []
            var unknown: [Duration] = []
            for round in 0..<4 {
                for (username, times) in [("ada", 0), ("nobody-\(round)", 1)] {
                    let start = ContinuousClock.now
                    let response = try await client.post(
                        "/api/auth/login", #"{"username": "\#(username)", "password": "wrong password!!"}"#)
                    let elapsed = start.duration(to: .now)
                    if times == 0 { wrong.append(elapsed) } else { unknown.append(elapsed) }
                    #expect(response.status == .unauthorized)
                    #expect(response.errorMessage == "Wrong username or password")
                }
            }
            // Both run one bcrypt comparison at cost 12 (hundreds of milliseconds; an unknown user
            // answered without one would take about one). The fastest of each is what a comparison
            // costs: the suite's other tests on the same two cores only ever add to a time, and
            // under that load medians differed by 2.7x, and in one CI run even the fastest by 4.5x
            // (3.35 s against 0.74 s). A user answered without a hash would be hundreds of times
            // faster, which the floor below catches; the ratio only has to say "the same order".
            let fastest = (try #require(wrong.min()), try #require(unknown.min()))
            let ratio = fastest.0 / fastest.1
            #expect(ratio > 0.1 && ratio < 10, "wrong \(fastest.0), unknown \(fastest.1)")
            #expect(fastest.1 > .milliseconds(20), "an unknown user costs a hash too: \(fastest.1)")
        }
    }

    @Test func repeatedFailuresBackOffWithRetryAfter() async throws {
        try await Accounts.server().run { client in
            _ = try await client.signUp("ada")
            for _ in 0..<SignInThrottle.freeFailures {
                let response = try await client.post("/api/auth/login", #"{"username": "ada", "password": "wrong password!!"}"#)
                #expect(response.status == .unauthorized)
            }
            let slowed = try await client.post("/api/auth/login", #"{"username": "ada", "password": "\#(Accounts.password)"}"#)
            #expect(slowed.status == .tooManyRequests)
            #expect(slowed.headers[.retryAfter] == "1")
            #expect(slowed.errorMessage == "Too many failed sign-ins: try again in 1 s")
            try await Task.sleep(for: .milliseconds(1_100))
            // The real user gets in once the wait is over, and the count starts again.
            _ = try await client.signIn("ada")
        }
    }

    /// Keys and refresh tokens are kept as the SHA-256 of their UTF-8 in lowercase hex (the FIPS
    /// 180-2 test vectors): a database keeps the hashes through upgrades.
    @Test func secretsAreKeptAsTheirSHA256InHex() {
        #expect(Secrets.hash("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(Secrets.hash("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(Secrets.hash("é") == "4a99557e4033c3539de2eb65472017cad5f9557f7a0625a09f1c3f6e2ba69c4c")
        #expect(Secrets.hash(Secrets.randomText()).utf8.count == 64)
    }

    @Test func theBackoffDoublesAndIsCapped() {
        let throttle = SignInThrottle()
        let start = ContinuousClock.now
        let ada = SignInThrottle.keys(username: "Ada", address: "10.0.0.1")
        for _ in 0..<7 { throttle.recordFailure(for: ada, at: start) }
        #expect(throttle.wait(for: [.username("ada")], at: start) == 4)
        #expect(throttle.wait(for: ada, at: start + .seconds(4)) == nil)
        #expect(throttle.wait(for: SignInThrottle.keys(username: "eve", address: "10.0.0.1"), at: start) == nil, "an address has 20")
        #expect(SignInThrottle.delay(afterFailures: 40) == .seconds(15 * 60))
        for _ in 0..<40 { throttle.recordFailure(for: ada, at: start) }
        #expect(throttle.wait(for: SignInThrottle.keys(username: "eve", address: "10.0.0.1"), at: start) == 15 * 60)
        #expect(throttle.wait(for: ada, at: start + .seconds(15 * 60)) == nil, "never locked out for good")
    }

    @Test func passwordsFollowTheRules() async throws {
        try await Accounts.server().run { client in
            let cases = [
                ("short", "Password must be at least 12 characters"),
                ("password1234", "Password is too common: choose one that is not on lists of leaked passwords"),
                ("aaaaaaaaaaaaaaa", "Password is too common: choose one that is not on lists of leaked passwords"),
                ("ada-lovelace-1815", "Password is too common: choose one that is not on lists of leaked passwords"),
            ]
            for (password, message) in cases {
                let response = try await client.post("/api/users", #"{"username": "ada-lovelace-1815", "password": "\#(password)"}"#)
                #expect(response.status == .badRequest, "\(password)")
                #expect(response.errorMessage == message)
            }
            let missing = try await client.post("/api/users", #"{"username": "ada"}"#)
            #expect(missing.status == .badRequest && missing.errorMessage == "Password is required")
            let asAdmin = try await client.post("/api/users", #"{"username": "ada", "password": "\#(Accounts.password)", "role": "admin"}"#)
            #expect(asAdmin.status == .forbidden, "sign-up cannot make an admin")
            #expect(try await client.post("/api/users", #"{"username": "ada", "password": "no rules, just long"}"#).status == .created)
        }
    }

    @Test func accountCreationIsRetrySafe() async throws {
        let server = try Accounts.server()
        try await server.run { client in
            var headers = jsonHeaders
            headers[HTTPField.Name("Idempotency-Key")!] = "signup-1"
            let body = #"{"username": "ada", "password": "\#(Accounts.password)"}"#
            let first = try await client.post("/api/users", body, headers: headers)
            let again = try await client.post("/api/users", body, headers: headers)
            #expect(first.status == .created && again.status == .created)
            #expect(again.headers[HTTPField.Name("Idempotent-Replayed")!] == "true" && again.body == first.body)
            #expect(try await server.rowCounts()["users"] == 1)
            let other = try await client.post("/api/users", #"{"username": "bea", "password": "\#(Accounts.password)"}"#, headers: headers)
            #expect(other.status == .unprocessableContent)
            headers[HTTPField.Name("Idempotency-Key")!] = "a b"
            #expect(try await client.post("/api/users", body, headers: headers).status == .badRequest)
        }
    }

    @Test func refreshTokensRotateAndAReuseRevokesTheSignIn() async throws {
        try await Accounts.server().run { client in
            let ada = try await client.signUp("ada")
            let first = try await client.post("/api/auth/refresh", #"{"refresh_token": "\#(ada.refreshToken)"}"#)
            #expect(first.status == .ok)
            let next = try #require(try first.json.string("refresh_token"))
            #expect(next != ada.refreshToken)
            #expect(try await client.send(.get, "/api/auth/me", bearer: first.json.string("access_token")).status == .ok)
            // The spent token again: refused, and the whole family with it (the new one too).
            let reused = try await client.post("/api/auth/refresh", #"{"refresh_token": "\#(ada.refreshToken)"}"#)
            #expect(reused.status == .unauthorized)
            #expect(reused.errorMessage == "Refresh token is invalid, expired or already used: sign in again")
            #expect(try await client.post("/api/auth/refresh", #"{"refresh_token": "\#(next)"}"#).status == .unauthorized)
            #expect(try await client.post("/api/auth/refresh", #"{"refresh_token": "qlr_made-up"}"#).status == .unauthorized)
        }
    }

    @Test func logoutEndsTheSignInAndAPasswordChangeTheOthers() async throws {
        try await Accounts.server().run { client in
            let phone = try await client.signUp("ada")
            let laptop = try await client.signIn("ada")
            let logout = try await client.send(.post, "/api/auth/logout", bearer: phone.accessToken)
            #expect(logout.status == .ok)
            #expect(try await client.post("/api/auth/refresh", #"{"refresh_token": "\#(phone.refreshToken)"}"#).status == .unauthorized)
            #expect(try await client.post("/api/auth/refresh", #"{"refresh_token": "\#(laptop.refreshToken)"}"#).status == .ok)

            let desk = try await client.signIn("ada")
            let tablet = try await client.signIn("ada")
            let wrong = try await client.send(
                .put, "/api/auth/password", bearer: desk.accessToken, #"{"current_password": "not it at all", "new_password": "x"}"#)
            #expect(wrong.status == .forbidden && wrong.errorMessage == "Current password is wrong")
            let changed = try await client.send(
                .put, "/api/auth/password", bearer: desk.accessToken,
                #"{"current_password": "\#(Accounts.password)", "new_password": "another sound passphrase"}"#)
            #expect(changed.status == .ok)
            #expect(try await client.post("/api/auth/refresh", #"{"refresh_token": "\#(tablet.refreshToken)"}"#).status == .unauthorized)
            #expect(try await client.post("/api/auth/refresh", #"{"refresh_token": "\#(desk.refreshToken)"}"#).status == .ok)
            _ = try await client.signIn("ada", password: "another sound passphrase")
        }
    }

    /// Only valid HS256 tokens of this server: anything else is 401 with `WWW-Authenticate`.
    @Test func forgedExpiredAndForeignTokensAreRefused() async throws {
        try await Accounts.server().run { client in
            let ada = try await client.signUp("ada")
            let valid = try Accounts.jwt(claims: Accounts.claims(userID: ada.id))
            #expect(try await client.send(.get, "/api/users/\(ada.id)", bearer: valid).status == .ok, "the oracle signs as the server does")
            var claims = Accounts.claims(userID: ada.id)
            var forged: [String: String] = [:]
            forged["expired"] = try Accounts.jwt(claims: Accounts.claims(userID: ada.id, expiresIn: -5))
            forged["wrong key"] = try Accounts.jwt(claims: claims, key: "another-secret-of-enough-length-0123456789")
            forged["alg none"] =
                try Accounts.jwt(header: ["alg": "none", "typ": "JWT"], claims: claims).split(separator: ".").prefix(2)
                .joined(separator: ".") + "."
            forged["alg HS384"] = try Accounts.jwt(header: ["alg": "HS384", "typ": "JWT"], claims: claims)
            claims["iss"] = "someone-else"
            forged["wrong issuer"] = try Accounts.jwt(claims: claims)
            claims = Accounts.claims(userID: ada.id)
            claims["aud"] = "another-app"
            forged["wrong audience"] = try Accounts.jwt(claims: claims)
            let parts = ada.accessToken.split(separator: ".").map(String.init)
            var payload = try #require(Base64URL.decode(parts[1]))
            payload = payload.replacingOccurrences(of: ada.id, with: "00000000-0000-0000-0000-000000000001")
            forged["tampered payload"] = [parts[0], Base64URL.encode(payload), parts[2]].joined(separator: ".")
            forged["garbage"] = "not-a-token"
            for (name, token) in forged {
                let response = try await client.send(.get, "/api/users/\(ada.id)", bearer: token)
                #expect(response.status == .unauthorized, "\(name)")
                #expect(response.errorMessage == "The credential is invalid, expired or revoked: sign in again", "\(name)")
                #expect(response.headers[.wwwAuthenticate] == #"Bearer error="invalid_token""#)
            }
            let none = try await client.get("/api/users/\(ada.id)")
            #expect(none.status == .unauthorized && none.headers[.wwwAuthenticate] == "Bearer")
            #expect(none.errorMessage == "Sign in first: send Authorization: Bearer <access token or API key>")
        }
    }

    /// A token remembered as verified still expires when its `exp` passes.
    @Test func aRememberedTokenStillExpires() async throws {
        let tokens = await AccessTokens(secret: Accounts.secret, lifetime: .seconds(60))
        let now = Date()
        let token = try await tokens.issue(userID: "u", role: .user, signIn: "s", now: now)
        #expect(await tokens.verify(token, now: now)?.userID == "u")
        #expect(await tokens.verify(token, now: now.addingTimeInterval(30))?.signIn == "s", "remembered")
        #expect(await tokens.verify(token, now: now.addingTimeInterval(61)) == nil)
        let other = await AccessTokens(secret: "another-secret-of-enough-length-0123456789", lifetime: .seconds(60))
        #expect(await other.verify(token) == nil)
    }

    @Test func theSigningSecretIsKeptInTheDatabaseWhenNoneIsGiven() async throws {
        var server = try TestServer(settings: ["auth": "accounts", "signup": "open"])
        let token = try await server.run { client in try await client.signUp("ada") }
        server.createsDatabase = false
        try await server.run { client in
            let me = try await client.send(.get, "/api/auth/me", bearer: token.accessToken)
            #expect(me.status == .ok, "a restart keeps the secret")
        }
    }

    @Test func usersFromTheOriginalHaveNoPasswordUntilOneIsSet() async throws {
        var server = try TestServer()
        let legacy = try await server.run { client in try await client.createUser("old-timer") }
        server.settings = ["auth": "accounts", "signup": "open", "authSecret": Accounts.secret]
        server.createsDatabase = false
        let adopted = server
        try await adopted.run { client in
            let refused = try await client.post("/api/auth/login", #"{"username": "old-timer", "password": "\#(Accounts.password)"}"#)
            #expect(refused.status == .unauthorized && refused.errorMessage == "Wrong username or password")
            let admin = try await client.signUp("root")
            try await adopted.execute("UPDATE accounts SET role = 'admin' WHERE user_id = ?", [admin.id])
            let set = try await client.send(
                .patch, "/api/users/\(legacy)", bearer: admin.accessToken, #"{"password": "\#(Accounts.password)"}"#)
            #expect(set.status == .ok)
            #expect(try set.json["has_password"] as? Bool == true)
            #expect(try await client.signIn("old-timer").id == legacy)
        }
    }
}
