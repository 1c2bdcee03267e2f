import Foundation
import GRDB
import QlippyModel
import QlippyStore

/// Accounts, sign-ins, API keys and the shared secrets, in the tables of migration v12.
extension SQLiteStore {
    public func account(userID: String) async throws -> Account {
        guard let account = try readers.read({ try $0.fetchOne(AccountQueries.account, [userID], Account.init) }) else {
            throw StoreError.notFound(.user)
        }
        return account
    }

    public func credentials(username: String) async throws -> StoredCredentials? {
        try readers.read { connection in
            try connection.fetchOne(AccountQueries.credentials, [username], StoredCredentials.init)
        }
    }

    public func accounts() async throws -> [Account] {
        try readers.read { try $0.fetchAll(AccountQueries.accounts, [], Account.init) }
    }

    public func createAccount(username: String, passwordHash: String?, role: Role) async throws -> Account {
        try await Self.mappingTakenUsername {
            try await writer.write { db in
                let user = try Self.insertUser(username: username, db)
                try Self.execute(
                    db, "INSERT INTO accounts (user_id, password_hash, role) VALUES (?, ?, ?)", [user.id, passwordHash, role.rawValue])
                return Account(user: user, role: role, disabled: false, hasPassword: passwordHash != nil)
            }
        }
    }

    public func updateAccount(userID: String, changes: AccountChanges) async throws -> Account {
        try await writer.write { db in
            try db.requireUser(id: userID)
            try Self.execute(db, "INSERT INTO accounts (user_id) VALUES (?) ON CONFLICT DO NOTHING", [userID])
            try Self.execute(
                db,
                """
                UPDATE accounts SET password_hash = coalesce(?, password_hash), role = coalesce(?, role),
                    disabled = coalesce(?, disabled) WHERE user_id = ?
                """,
                [changes.passwordHash, changes.role?.rawValue, changes.disabled, userID]
            )
            guard let account = try db.fetchOne(AccountQueries.account, [userID], Account.init) else { throw StoreError.notFound(.user) }
            return account
        }
    }

    public func deleteUser(id: String) async throws {
        try await writer.write(journal: .onDisk) { db in
            try db.requireUser(id: id)
            // Conversations first, so that their messages' deletes log nothing (as for one conversation).
            try Self.execute(db, "PRAGMA defer_foreign_keys = ON", [])
            let conversations = try db.fetchAll("SELECT id FROM conversations WHERE user_id = ?", [id]) { $0.text(0) ?? "" }
            try Self.execute(db, "DELETE FROM conversations WHERE user_id = ?", [id])
            for conversation in conversations {
                try Self.execute(db, Queries.deleteMessagesOfConversation, [conversation])
            }
            for statement in AccountQueries.deleteOwnedRows {
                try Self.execute(db, statement, [id])
            }
        }
    }

    // MARK: Sign-ins

    public func startSignIn(userID: String, family: String, tokenHash: String, expiresAt: Timestamp) async throws {
        try await writer.write { db in
            try Self.execute(
                db, "INSERT INTO sign_ins (family, user_id, created_at) VALUES (?, ?, ?)", [family, userID, Timestamp.now().storageText])
            try Self.execute(
                db, "INSERT INTO refresh_tokens (token_hash, family, expires_at) VALUES (?, ?, ?)",
                [tokenHash, family, expiresAt.storageText])
        }
    }

    public func rotate(tokenHash: String, nextHash: String, expiresAt: Timestamp) async throws -> RefreshOutcome {
        try await writer.write { db in
            let now = Timestamp.now().storageText
            let found = try db.fetchOne(AccountQueries.refreshToken, [tokenHash]) { row in
                (
                    family: row.text(0) ?? "", userID: row.text(1) ?? "", expired: (row.text(2) ?? "") <= now,
                    spent: !row.isNull(3) || !row.isNull(4)
                )
            }
            guard let found else { return .unknown }
            if found.spent {
                try Self.execute(db, "UPDATE sign_ins SET revoked_at = coalesce(revoked_at, ?) WHERE family = ?", [now, found.family])
                return .reused
            }
            guard !found.expired else { return .unknown }
            try Self.execute(db, "UPDATE refresh_tokens SET used_at = ? WHERE token_hash = ?", [now, tokenHash])
            try Self.execute(
                db, "INSERT INTO refresh_tokens (token_hash, family, expires_at) VALUES (?, ?, ?)",
                [nextHash, found.family, expiresAt.storageText]
            )
            return .rotated(userID: found.userID, family: found.family)
        }
    }

    public func revokeSignIn(family: String) async throws {
        try await writer.write { db in
            try Self.execute(
                db, "UPDATE sign_ins SET revoked_at = coalesce(revoked_at, ?) WHERE family = ?", [Timestamp.now().storageText, family])
        }
    }

    public func revokeSignIns(ofUser userID: String, except family: String?) async throws {
        try await writer.write { db in
            try Self.execute(
                db, "UPDATE sign_ins SET revoked_at = coalesce(revoked_at, ?) WHERE user_id = ? AND family IS NOT ?",
                [Timestamp.now().storageText, userID, family])
        }
    }

    // MARK: API keys

    public func createAPIKey(userID: String, name: String, prefix: String, keyHash: String, expiresAt: Timestamp?) async throws -> APIKey {
        try await writer.write { db in
            try db.requireUser(id: userID)
            let key = APIKey(id: newID(), name: name, prefix: prefix, createdAt: .now(), lastUsedAt: nil, expiresAt: expiresAt)
            try Self.execute(
                db,
                "INSERT INTO api_keys (id, user_id, name, prefix, key_hash, created_at, expires_at) VALUES (?, ?, CAST(? AS TEXT), ?, ?, ?, ?)",
                [key.id, userID, Self.text(name), prefix, keyHash, key.createdAt.storageText, expiresAt?.storageText])
            return key
        }
    }

    public func apiKeys(ofUser userID: String) async throws -> [APIKey] {
        try readers.read { try $0.fetchAll(AccountQueries.apiKeysOfUser, [userID], APIKey.init) }
    }

    public func deleteAPIKey(id: String, userID: String) async throws {
        try await writer.write { db in
            try Self.execute(db, "DELETE FROM api_keys WHERE id = ? AND user_id = ?", [id, userID])
            guard db.changesCount > 0 else { throw StoreError.notFound(.apiKey) }
        }
    }

    public func apiKeyHolder(keyHash: String, at now: Timestamp) async throws -> Principal? {
        let found = try readers.read { connection in
            try connection.fetchOne(AccountQueries.apiKeyHolder, [keyHash, now.storageText]) { row in
                (principal: Principal(row, from: 1), id: row.text(0) ?? "", lastUsed: row.timestamp(4))
            }
        }
        guard let found else { return nil }
        if APIKeyUse.isWorthNoting(lastUsed: found.lastUsed, now: now) {
            try await writer.write { db in
                try Self.execute(db, "UPDATE api_keys SET last_used_at = ? WHERE id = ?", [now.storageText, found.id])
            }
        }
        return found.principal
    }

    public func apiKeyHolder(keyHash: String, at now: Timestamp, ownerOf resource: OwnedResource) async throws -> KeyHolderAndOwner? {
        try readers.read { connection in
            try connection.fetchOne(AccountQueries.apiKeyHolder(andOwnerOf: resource), [resource.id, keyHash, now.storageText]) { row in
                KeyHolderAndOwner(holder: Principal(row, from: 0), owner: row.text(3) == nil ? nil : Principal(row, from: 3))
            }
        }
    }

    // MARK: Secrets and owners

    public func secret(named name: String, generated: String) async throws -> String {
        try await writer.write { db in
            try Self.execute(db, "INSERT INTO server_secrets (name, value) VALUES (?, ?) ON CONFLICT DO NOTHING", [name, generated])
            return try db.fetchOne("SELECT value FROM server_secrets WHERE name = ?", [name]) { $0.text(0) ?? "" } ?? generated
        }
    }

    public func owner(of resource: OwnedResource) async throws -> Principal? {
        try readers.read { try $0.fetchOne(AccountQueries.owner(of: resource), [resource.id]) { Principal($0, from: 0) } }
    }
}

/// The SQL of accounts mode, with the column order the decoders below read.
enum AccountQueries {
    static let accountColumns =
        "\(Queries.userColumns), (SELECT count(*) FROM conversations c WHERE c.user_id = u.id), a.role, a.disabled, a.password_hash IS NOT NULL"

    static let account = "SELECT \(accountColumns) FROM users u LEFT JOIN accounts a ON a.user_id = u.id WHERE u.id = ?"
    static let accounts = "SELECT \(accountColumns) FROM users u LEFT JOIN accounts a ON a.user_id = u.id ORDER BY u.created_at, u.rowid"
    static let credentials = """
        SELECT u.id, a.role, a.disabled, a.password_hash FROM users u LEFT JOIN accounts a ON a.user_id = u.id
        WHERE u.username = CAST(? AS TEXT)
        """
    /// Family, user, expiry, when spent, when its sign-in was revoked.
    static let refreshToken = """
        SELECT t.family, s.user_id, t.expires_at, t.used_at, s.revoked_at
        FROM refresh_tokens t JOIN sign_ins s ON s.family = t.family WHERE t.token_hash = ?
        """
    static let apiKeysOfUser =
        "SELECT id, name, prefix, created_at, last_used_at, expires_at FROM api_keys WHERE user_id = ? ORDER BY created_at, id"
    /// Key id, then the holder as a principal, then when the key was last used.
    static let apiKeyHolder = """
        SELECT k.id, k.user_id, a.role, a.disabled, k.last_used_at FROM api_keys k LEFT JOIN accounts a ON a.user_id = k.user_id
        WHERE k.key_hash = ? AND (k.expires_at IS NULL OR k.expires_at > ?)
        """

    /// A key's holder, then the resource's owner (both as principals; the owner's columns `NULL`
    /// when the resource does not exist): no row when the key is not valid. Arguments: the
    /// resource id, the key hash, the time. One constant statement per kind of resource.
    static func apiKeyHolder(andOwnerOf resource: OwnedResource) -> String {
        resource.byKind(
            user: keyHolderAndOwnerOfUser, conversation: keyHolderAndOwnerOfConversation, message: keyHolderAndOwnerOfMessage,
            plugin: keyHolderAndOwnerOfPlugin)
    }

    static let keyHolderAndOwnerOfUser = keyHolderAndOwner(owner: "o.id", joins: "LEFT JOIN users o ON o.id = ?")
    static let keyHolderAndOwnerOfConversation = keyHolderAndOwner(owner: "o.user_id", joins: "LEFT JOIN conversations o ON o.id = ?")
    static let keyHolderAndOwnerOfPlugin = keyHolderAndOwner(owner: "o.user_id", joins: "LEFT JOIN plugins o ON o.id = ?")
    static let keyHolderAndOwnerOfMessage = keyHolderAndOwner(
        owner: "o.user_id", joins: "LEFT JOIN messages m ON m.id = ? LEFT JOIN conversations o ON o.id = m.conversation_id")

    private static func keyHolderAndOwner(owner: String, joins: String) -> String {
        """
        SELECT k.user_id, ka.role, ka.disabled, \(owner), oa.role, oa.disabled
        FROM api_keys k LEFT JOIN accounts ka ON ka.user_id = k.user_id \(joins) LEFT JOIN accounts oa ON oa.user_id = \(owner)
        WHERE k.key_hash = ? AND (k.expires_at IS NULL OR k.expires_at > ?)
        """
    }

    /// The owner of a resource as a principal (user id, role, disabled); argument: its id. One
    /// constant statement per kind, since this runs for every request in accounts mode.
    static func owner(of resource: OwnedResource) -> String {
        resource.byKind(user: ownerOfUser, conversation: ownerOfConversation, message: ownerOfMessage, plugin: ownerOfPlugin)
    }

    static let ownerOfUser = "SELECT u.id, a.role, a.disabled FROM users u LEFT JOIN accounts a ON a.user_id = u.id WHERE u.id = ?"
    static let ownerOfConversation =
        "SELECT o.user_id, a.role, a.disabled FROM conversations o LEFT JOIN accounts a ON a.user_id = o.user_id WHERE o.id = ?"
    static let ownerOfPlugin =
        "SELECT o.user_id, a.role, a.disabled FROM plugins o LEFT JOIN accounts a ON a.user_id = o.user_id WHERE o.id = ?"
    static let ownerOfMessage = """
        SELECT o.user_id, a.role, a.disabled FROM messages m JOIN conversations o ON o.id = m.conversation_id
        LEFT JOIN accounts a ON a.user_id = o.user_id WHERE m.id = ?
        """

    /// What a deleted user leaves besides conversations and messages; each takes the user id.
    static let deleteOwnedRows = [
        "DELETE FROM plugins WHERE user_id = ?",
        "DELETE FROM idempotency_keys WHERE scope = ?",
        "DELETE FROM change_log WHERE user_id = ?",
        "DELETE FROM walk_windows WHERE user_id = ?",
        "DELETE FROM users WHERE id = ?",
    ]
}

extension Account {
    /// `AccountQueries.accountColumns`.
    init(_ row: Columns) {
        self.init(
            user: User(row), role: row.text(4).flatMap(Role.init(rawValue:)) ?? .user, disabled: row.bool(5) ?? false,
            hasPassword: row.bool(6) ?? false)
    }
}

extension StoredCredentials {
    init(_ row: Columns) {
        self.init(principal: Principal(row, from: 0), passwordHash: row.text(3))
    }
}

extension Principal {
    /// User id, role and disabled flag from column `first` on; a missing account row is a plain user.
    init(_ row: Columns, from first: Int32) {
        self.init(
            userID: row.text(first) ?? "", role: row.text(first + 1).flatMap(Role.init(rawValue:)) ?? .user,
            disabled: row.bool(first + 2) ?? false)
    }
}

extension APIKey {
    init(_ row: Columns) {
        self.init(
            id: row.text(0) ?? "", name: row.text(1) ?? "", prefix: row.text(2) ?? "", createdAt: row.timestamp(3) ?? .now(),
            lastUsedAt: row.timestamp(4), expiresAt: row.timestamp(5))
    }
}
