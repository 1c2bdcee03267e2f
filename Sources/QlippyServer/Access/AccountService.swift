import Logging
import QlippyModel
import QlippyStore

/// A sign-in's tokens and its account, as `POST /api/auth/login` and `/refresh` answer them.
struct SignedIn: Sendable {
    var accessToken: String
    var refreshToken: String
    var expiresIn: Int
    var account: Account
}

/// The account rules, written once for the HTTP routes and the command line: password policy and
/// hashing, signing in with its throttle, refresh rotation, and keeping one admin.
package final class AccountService: Sendable {
    package let store: any AccountStore
    let hasher: PasswordHasher
    private let tokens: AccessTokens?
    private let refreshLifetime: Duration
    let throttle = SignInThrottle()

    init(store: any AccountStore, tokens: AccessTokens?, refreshLifetime: Duration) {
        self.store = store
        self.hasher = PasswordHasher()
        self.tokens = tokens
        self.refreshLifetime = refreshLifetime
    }

    /// For the command line, which manages accounts but signs nobody in.
    package convenience init(store: any AccountStore) {
        self.init(store: store, tokens: nil, refreshLifetime: .zero)
    }

    /// The name the signing secret is kept under in the database.
    static let signingSecretName = "access-token-signing-key"

    /// The signing secret: the configured one, else the one the database keeps (made on first start).
    static func signingSecret(configured: String?, store: any ServerSecrets) async throws -> String {
        if let configured { return configured }
        return try await store.secret(named: signingSecretName, generated: Secrets.randomText())
    }

    package func createAccount(username: String, password: String?, role: Role) async throws -> Account {
        var hash: String?
        if let password { hash = try await checkedHash(password, username: username) }
        return try await store.createAccount(username: username, passwordHash: hash, role: role)
    }

    /// Applies an admin's changes; refuses to leave the server without an enabled admin.
    package func updateAccount(userID: String, password: String?, role: Role?, disabled: Bool?) async throws -> Account {
        let account = try await store.account(userID: userID)
        if account.role == .admin && !account.disabled && (role == .user || disabled == true) {
            try await requireAnotherAdmin(than: userID)
        }
        var hash: String?
        if let password { hash = try await checkedHash(password, username: account.user.username) }
        let updated = try await store.updateAccount(
            userID: userID, changes: AccountChanges(passwordHash: hash, role: role, disabled: disabled))
        if hash != nil || disabled == true { try await store.revokeSignIns(ofUser: userID, except: nil) }
        return updated
    }

    package func deleteUser(id: String) async throws {
        let account = try await store.account(userID: id)
        if account.role == .admin && !account.disabled { try await requireAnotherAdmin(than: id) }
        try await store.deleteUser(id: id)
    }

    /// Checks the password (bcrypt, in the same time whether or not the user exists) and starts a
    /// sign-in. Failures count towards the throttle of the username and of the address.
    func signIn(username: String, password: String, address: String?) async throws -> SignedIn {
        let keys = SignInThrottle.keys(username: username, address: address)
        if let wait = throttle.wait(for: keys) { throw APIError.tooManySignIns(retryAfterSeconds: wait) }
        let credentials = try await store.credentials(username: username)
        let matches = try await hasher.verify(password, hash: credentials?.passwordHash)
        guard matches, let credentials, !credentials.principal.disabled else {
            throttle.recordFailure(for: keys)
            throw APIError.wrongCredentials
        }
        throttle.recordSuccess(for: keys[0])
        return try await startSignIn(account: try await store.account(userID: credentials.principal.userID))
    }

    /// Spends the refresh token and hands out a new pair (OAuth 2.1 rotation).
    func refresh(_ token: String) async throws -> SignedIn {
        let next = Secrets.refreshTokenPrefix + Secrets.randomText()
        let outcome = try await store.rotate(
            tokenHash: Secrets.hash(token), nextHash: Secrets.hash(next), expiresAt: Timestamp.now().plus(refreshLifetime))
        guard case .rotated(let userID, let family) = outcome else { throw APIError.refreshTokenRejected }
        let account = try await store.account(userID: userID)
        guard !account.disabled else {
            try await store.revokeSignIn(family: family)
            throw APIError.refreshTokenRejected
        }
        return try await signedIn(account: account, family: family, refreshToken: next)
    }

    /// Changes the caller's own password after checking the current one; ends their other sign-ins.
    func changePassword(userID: String, current: String, new: String, keeping signIn: String?) async throws {
        let account = try await store.account(userID: userID)
        let keys = SignInThrottle.keys(username: account.user.username, address: nil)
        if let wait = throttle.wait(for: keys) { throw APIError.tooManySignIns(retryAfterSeconds: wait) }
        let stored = try await store.credentials(username: account.user.username)
        guard try await hasher.verify(current, hash: stored?.passwordHash) else {
            throttle.recordFailure(for: keys)
            throw APIError.wrongCurrentPassword
        }
        let hash = try await checkedHash(new, username: account.user.username)
        _ = try await store.updateAccount(userID: userID, changes: AccountChanges(passwordHash: hash))
        try await store.revokeSignIns(ofUser: userID, except: signIn)
    }

    private func startSignIn(account: Account) async throws -> SignedIn {
        let family = newID()
        let refreshToken = Secrets.refreshTokenPrefix + Secrets.randomText()
        try await store.startSignIn(
            userID: account.user.id, family: family, tokenHash: Secrets.hash(refreshToken), expiresAt: Timestamp.now().plus(refreshLifetime)
        )
        return try await signedIn(account: account, family: family, refreshToken: refreshToken)
    }

    private func signedIn(account: Account, family: String, refreshToken: String) async throws -> SignedIn {
        guard let tokens else { throw APIError.internalError }
        let access = try await tokens.issue(userID: account.user.id, role: account.role, signIn: family)
        return SignedIn(
            accessToken: access, refreshToken: refreshToken, expiresIn: Int(tokens.lifetime.components.seconds), account: account)
    }

    private func checkedHash(_ password: String, username: String) async throws -> String {
        if let problem = PasswordPolicy.problem(with: password, username: username) { throw APIError.weakPassword(problem) }
        return try await hasher.hash(password)
    }

    private func requireAnotherAdmin(than userID: String) async throws {
        let admins = try await store.accounts().filter { $0.role == .admin && !$0.disabled && $0.user.id != userID }
        guard !admins.isEmpty else { throw APIError.lastAdmin }
    }
}
