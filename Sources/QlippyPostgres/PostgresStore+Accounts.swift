import PostgresNIO
import QlippyModel
import QlippyStore

/// Accounts, sign-ins, API keys and the shared secrets, in the tables of migration v8.
extension PostgresStore {
    public func account(userID: String) async throws -> Account {
        try await run { connection in
            try await self.fetchAccount(userID: userID, connection)
        }
    }

    private func fetchAccount(userID: String, _ connection: PostgresConnection) async throws -> Account {
        try await one(
            "SELECT \(unescaped: AccountRows.account) FROM users u LEFT JOIN accounts a ON a.user_id = u.id WHERE u.id = \(userID)",
            on: connection, missing: .user
        ) { AccountRows.account(try $0.decode(AccountRows.AccountRow.self)) }
    }

    public func credentials(username: String) async throws -> StoredCredentials? {
        try await run { connection in
            let rows = try await connection.query(
                """
                SELECT u.id, a.role, a.disabled, a.password_hash FROM users u LEFT JOIN accounts a ON a.user_id = u.id
                WHERE u.username = \(username)
                """, logger: self.logger)
            for try await (id, role, disabled, hash) in rows.decode((String, String?, Bool?, String?).self) {
                return StoredCredentials(
                    principal: Principal(userID: id, role: AccountRows.role(role), disabled: disabled ?? false), passwordHash: hash)
            }
            return nil
        }
    }

    public func accounts() async throws -> [Account] {
        try await run { connection in
            let rows = try await connection.query(
                "SELECT \(unescaped: AccountRows.account) FROM users u LEFT JOIN accounts a ON a.user_id = u.id ORDER BY u.created_at, u.seq",
                logger: self.logger)
            var accounts: [Account] = []
            for try await row in rows.decode(AccountRows.AccountRow.self) { accounts.append(AccountRows.account(row)) }
            return accounts
        }
    }

    public func createAccount(username: String, passwordHash: String?, role: Role) async throws -> Account {
        try await transaction(deadline: deadline) { connection in
            let user = try await self.insertUser(username: username, connection)
            try await connection.query(
                "INSERT INTO accounts (user_id, password_hash, role) VALUES (\(user.id), \(passwordHash), \(role.rawValue))",
                logger: self.logger)
            return Account(user: user, role: role, disabled: false, hasPassword: passwordHash != nil)
        }
    }

    public func updateAccount(userID: String, changes: AccountChanges) async throws -> Account {
        try await transaction(deadline: deadline) { connection in
            try await self.requireUser(userID, connection)
            try await connection.query(
                """
                INSERT INTO accounts (user_id, password_hash, role, disabled)
                VALUES (\(userID), \(changes.passwordHash), coalesce(\(changes.role?.rawValue), 'user'), coalesce(\(changes.disabled), false))
                ON CONFLICT (user_id) DO UPDATE SET password_hash = coalesce(\(changes.passwordHash), accounts.password_hash),
                    role = coalesce(\(changes.role?.rawValue), accounts.role), disabled = coalesce(\(changes.disabled), accounts.disabled)
                """, logger: self.logger)
            return try await self.fetchAccount(userID: userID, connection)
        }
    }

    public func deleteUser(id: String) async throws {
        try await transaction(deadline: deadline) { connection in
            // The cascade removes conversations, messages, plugins, accounts, sign-ins and keys.
            let deleted = try await connection.query("DELETE FROM users WHERE id = \(id) RETURNING id", logger: self.logger)
            guard try await deleted.decode(String.self).contains(where: { _ in true }) else { throw StoreError.notFound(.user) }
            try await connection.query("DELETE FROM idempotency_keys WHERE scope = \(id)", logger: self.logger)
            try await connection.query("DELETE FROM change_log WHERE user_id = \(id)", logger: self.logger)
        }
    }

    // MARK: Sign-ins

    public func startSignIn(userID: String, family: String, tokenHash: String, expiresAt: Timestamp) async throws {
        try await transaction(deadline: deadline) { connection in
            try await connection.query(
                "INSERT INTO sign_ins (family, user_id, created_at) VALUES (\(family), \(userID), \(Timestamp.now().storageText)::timestamp)",
                logger: self.logger)
            try await connection.query(
                "INSERT INTO refresh_tokens (token_hash, family, expires_at) VALUES (\(tokenHash), \(family), \(expiresAt.storageText)::timestamp)",
                logger: self.logger)
        }
    }

    public func rotate(tokenHash: String, nextHash: String, expiresAt: Timestamp) async throws -> RefreshOutcome {
        try await transaction(deadline: deadline) { connection in
            let now = Timestamp.now()
            // FOR UPDATE: two servers presenting the same token at once see it one after the other.
            let rows = try await connection.query(
                """
                SELECT t.family, s.user_id, \(unescaped: PostgresRows.micros("t.expires_at")), t.used_at IS NOT NULL OR s.revoked_at IS NOT NULL
                FROM refresh_tokens t JOIN sign_ins s ON s.family = t.family WHERE t.token_hash = \(tokenHash) FOR UPDATE OF t, s
                """, logger: self.logger)
            var found: (family: String, userID: String, expires: Int64, spent: Bool)?
            for try await row in rows.decode((String, String, Int64, Bool).self) { found = row }
            guard let found else { return .unknown }
            if found.spent {
                try await connection.query(
                    "UPDATE sign_ins SET revoked_at = coalesce(revoked_at, \(now.storageText)::timestamp) WHERE family = \(found.family)",
                    logger: self.logger)
                return .reused
            }
            guard found.expires > now.microsecondsSinceEpoch else { return .unknown }
            try await connection.query(
                "UPDATE refresh_tokens SET used_at = \(now.storageText)::timestamp WHERE token_hash = \(tokenHash)", logger: self.logger)
            try await connection.query(
                "INSERT INTO refresh_tokens (token_hash, family, expires_at) VALUES (\(nextHash), \(found.family), \(expiresAt.storageText)::timestamp)",
                logger: self.logger)
            return .rotated(userID: found.userID, family: found.family)
        }
    }

    public func revokeSignIn(family: String) async throws {
        try await run { connection in
            try await connection.query(
                "UPDATE sign_ins SET revoked_at = coalesce(revoked_at, \(Timestamp.now().storageText)::timestamp) WHERE family = \(family)",
                logger: self.logger)
        }
    }

    public func revokeSignIns(ofUser userID: String, except family: String?) async throws {
        try await run { connection in
            try await connection.query(
                """
                UPDATE sign_ins SET revoked_at = coalesce(revoked_at, \(Timestamp.now().storageText)::timestamp)
                WHERE user_id = \(userID) AND family IS DISTINCT FROM \(family)
                """, logger: self.logger)
        }
    }

    // MARK: API keys

    public func createAPIKey(userID: String, name: String, prefix: String, keyHash: String, expiresAt: Timestamp?) async throws -> APIKey {
        let key = APIKey(id: newID(), name: name, prefix: prefix, createdAt: .now(), lastUsedAt: nil, expiresAt: expiresAt)
        try await run { connection in
            try await self.insert(.user) {
                try await connection.query(
                    """
                    INSERT INTO api_keys (id, user_id, name, prefix, key_hash, created_at, expires_at)
                    VALUES (\(key.id), \(userID), \(name), \(prefix), \(keyHash), \(key.createdAt.storageText)::timestamp,
                        \(expiresAt?.storageText)::timestamp)
                    """, logger: self.logger)
            }
        }
        return key
    }

    public func apiKeys(ofUser userID: String) async throws -> [APIKey] {
        try await run { connection in
            let rows = try await connection.query(
                "SELECT \(unescaped: AccountRows.apiKey) FROM api_keys WHERE user_id = \(userID) ORDER BY created_at, id",
                logger: self.logger)
            var keys: [APIKey] = []
            for try await row in rows.decode(AccountRows.APIKeyRow.self) { keys.append(AccountRows.apiKey(row)) }
            return keys
        }
    }

    public func deleteAPIKey(id: String, userID: String) async throws {
        try await run { connection in
            let rows = try await connection.query(
                "DELETE FROM api_keys WHERE id = \(id) AND user_id = \(userID) RETURNING id", logger: self.logger)
            guard try await rows.decode(String.self).contains(where: { _ in true }) else { throw StoreError.notFound(.apiKey) }
        }
    }

    public func apiKeyHolder(keyHash: String, at now: Timestamp) async throws -> Principal? {
        let found = try await run { connection -> (Principal, String, Int64?)? in
            let rows = try await connection.query(
                """
                SELECT k.id, k.user_id, a.role, a.disabled, \(unescaped: PostgresRows.micros("k.last_used_at"))
                FROM api_keys k LEFT JOIN accounts a ON a.user_id = k.user_id
                WHERE k.key_hash = \(keyHash) AND (k.expires_at IS NULL OR k.expires_at > \(now.storageText)::timestamp)
                """, logger: self.logger)
            for try await (id, userID, role, disabled, lastUsed) in rows.decode((String, String, String?, Bool?, Int64?).self) {
                return (Principal(userID: userID, role: AccountRows.role(role), disabled: disabled ?? false), id, lastUsed)
            }
            return nil
        }
        guard let (principal, id, lastUsed) = found else { return nil }
        if APIKeyUse.isWorthNoting(lastUsed: PostgresRows.timestamp(lastUsed), now: now) {
            try await run { connection in
                try await connection.query(
                    "UPDATE api_keys SET last_used_at = \(now.storageText)::timestamp WHERE id = \(id)", logger: self.logger)
            }
        }
        return principal
    }

    public func apiKeyHolder(keyHash: String, at now: Timestamp, ownerOf resource: OwnedResource) async throws -> KeyHolderAndOwner? {
        let (owner, joins) = resource.byKind(
            user: ("o.id", "LEFT JOIN users o ON o.id = $1"), conversation: ("o.user_id", "LEFT JOIN conversations o ON o.id = $1"),
            message: ("o.user_id", "LEFT JOIN messages m ON m.id = $1 LEFT JOIN conversations o ON o.id = m.conversation_id"),
            plugin: ("o.user_id", "LEFT JOIN plugins o ON o.id = $1"))
        var bindings = PostgresBindings()
        bindings.append(resource.id)
        bindings.append(keyHash)
        bindings.append(now.storageText)
        let query = PostgresQuery(
            unsafeSQL: """
                SELECT k.user_id, ka.role, ka.disabled, \(owner), oa.role, oa.disabled
                FROM api_keys k LEFT JOIN accounts ka ON ka.user_id = k.user_id \(joins) LEFT JOIN accounts oa ON oa.user_id = \(owner)
                WHERE k.key_hash = $2 AND (k.expires_at IS NULL OR k.expires_at > $3::timestamp)
                """, binds: bindings)
        return try await run { connection in
            let rows = try await connection.query(query, logger: self.logger)
            for try await (holder, role, disabled, owner, ownerRole, ownerDisabled) in rows.decode(
                (String, String?, Bool?, String?, String?, Bool?).self)
            {
                return KeyHolderAndOwner(
                    holder: Principal(userID: holder, role: AccountRows.role(role), disabled: disabled ?? false),
                    owner: owner.map { Principal(userID: $0, role: AccountRows.role(ownerRole), disabled: ownerDisabled ?? false) })
            }
            return nil
        }
    }

    // MARK: Secrets and owners

    public func secret(named name: String, generated: String) async throws -> String {
        try await run { connection in
            try await connection.query(
                "INSERT INTO server_secrets (name, value) VALUES (\(name), \(generated)) ON CONFLICT DO NOTHING", logger: self.logger)
            for try await value in try await connection.query(
                "SELECT value FROM server_secrets WHERE name = \(name)", logger: self.logger
            ).decode(String.self) {
                return value
            }
            return generated
        }
    }

    public func owner(of resource: OwnedResource) async throws -> Principal? {
        let principal = "SELECT o.user_id, a.role, a.disabled FROM"
        let sql = resource.byKind(
            user: "SELECT u.id, a.role, a.disabled FROM users u LEFT JOIN accounts a ON a.user_id = u.id WHERE u.id = $1",
            conversation: "\(principal) conversations o LEFT JOIN accounts a ON a.user_id = o.user_id WHERE o.id = $1",
            message:
                "\(principal) messages m JOIN conversations o ON o.id = m.conversation_id LEFT JOIN accounts a ON a.user_id = o.user_id WHERE m.id = $1",
            plugin: "\(principal) plugins o LEFT JOIN accounts a ON a.user_id = o.user_id WHERE o.id = $1")
        var bindings = PostgresBindings()
        bindings.append(resource.id)
        let query = PostgresQuery(unsafeSQL: sql, binds: bindings)
        return try await run { connection in
            for try await (userID, role, disabled) in try await connection.query(query, logger: self.logger).decode(
                (String, String?, Bool?).self)
            {
                return Principal(userID: userID, role: AccountRows.role(role), disabled: disabled ?? false)
            }
            return nil
        }
    }
}

/// The select lists of accounts mode and their decoders.
enum AccountRows {
    static let account = "\(PostgresRows.user), a.role, a.disabled, a.password_hash IS NOT NULL"
    typealias AccountRow = (String, String, Int64?, Int64, String?, Bool?, Bool)

    static func account(_ row: AccountRow) -> Account {
        Account(
            user: PostgresRows.user((row.0, row.1, row.2, row.3)), role: role(row.4), disabled: row.5 ?? false, hasPassword: row.6)
    }

    static let apiKey =
        "id, name, prefix, \(PostgresRows.micros("created_at")), \(PostgresRows.micros("last_used_at")), \(PostgresRows.micros("expires_at"))"
    typealias APIKeyRow = (String, String, String, Int64, Int64?, Int64?)

    static func apiKey(_ row: APIKeyRow) -> APIKey {
        APIKey(
            id: row.0, name: row.1, prefix: row.2, createdAt: Timestamp(microsecondsSinceEpoch: row.3),
            lastUsedAt: PostgresRows.timestamp(row.4), expiresAt: PostgresRows.timestamp(row.5))
    }

    /// A missing account row (a user from before accounts) is a plain user.
    static func role(_ text: String?) -> Role {
        text.flatMap(Role.init(rawValue:)) ?? .user
    }
}
