import HTTPTypes
import Logging
import NIOCore
import QlippyModel
import QlippyStore

/// Users named by someone the server trusts to have signed them in: an authenticating proxy's
/// header (``TrustedProxies``) or an OpenID Connect provider's token (``OpenIDConnect``).
///
/// A name the server has not seen becomes an account without a password when sign-up is open;
/// with sign-up closed an admin creates it first. A disabled account is refused as always.
struct ExternalUsers: Sendable {
    let store: any Accounts
    let signup: SignupPolicy

    func caller(username: String, credential: Caller.Credential, logger: Logger) async throws -> Caller {
        guard !username.allSatisfy(\.isWhitespace), username.unicodeScalars.count <= FieldLimits.username else {
            throw APIError.credentialRejected
        }
        if let found = try await store.credentials(username: username) { return try Self.caller(found, credential) }
        guard signup == .open else {
            logger.notice("signed in elsewhere, but no such account here (sign-up is closed)", metadata: ["via": "\(credential)"])
            throw APIError.credentialRejected
        }
        do {
            let account = try await store.createAccount(username: username, passwordHash: nil, role: .user)
            logger.info("account created on first sight", metadata: ["user": "\(account.user.id)", "via": "\(credential)"])
            let principal = Principal(userID: account.user.id, role: account.role, disabled: false)
            return Caller(userID: account.user.id, credential: credential, principal: principal)
        } catch StoreError.usernameTaken {
            // Another request of the same new user created it a moment ago.
            guard let found = try await store.credentials(username: username) else { throw APIError.credentialRejected }
            return try Self.caller(found, credential)
        }
    }

    private static func caller(_ found: StoredCredentials, _ credential: Caller.Credential) throws(APIError) -> Caller {
        guard !found.principal.disabled else { throw .credentialRejected }
        return Caller(userID: found.principal.userID, credential: credential, principal: found.principal)
    }
}

/// The proxies whose user header names the user (`--trusted-proxies`, `--auth-header`).
struct TrustedProxies: Sendable {
    let ranges: [AddressRange]
    let header: HTTPField.Name

    func trusts(_ address: SocketAddress?) -> Bool {
        guard let address else { return false }
        return ranges.contains { $0.contains(address) }
    }
}
