import QlippyModel

/// The decisions both stores make for a keyed create (``IdempotentCreates/create(_:key:reply:)``),
/// inside the create's own transaction: whose key it is, whether an earlier request under the key
/// answers it, and what is kept once it has run. The stores supply only the statements.
package struct KeyedCreate: Sendable {
    package let creation: Creation
    package let key: String
    package let fingerprint: String
    private let reply: @Sendable (Resource) -> StoredReply

    package init(_ creation: Creation, key: String, reply: @escaping @Sendable (Resource) -> StoredReply) {
        self.creation = creation
        self.key = key
        self.fingerprint = creation.fingerprint
        self.reply = reply
    }

    /// Whose keys a creation's key is among: keys are per user.
    package enum Scope {
        /// A scope known without a lookup.
        case known(String)
        /// The user who owns this conversation (a message's key).
        case ownerOf(conversationID: String)
    }

    package var scope: Scope {
        switch creation {
        case .user: .known(IdempotencyKeys.usersScope)
        case .conversation(let userID, _, _, _), .plugin(let userID, _): .known(userID)
        case .message(let conversationID, _, _, _, _): .ownerOf(conversationID: conversationID)
        }
    }

    /// The answer an earlier request under the key gives (its reply, or "reused"); `nil` when the
    /// key is unused and the creation runs.
    package func earlierAnswer(_ kept: KeptReply) -> IdempotentOutcome? {
        switch kept {
        case .replay(let stored): .replayed(stored)
        case .keyReused: .keyReused
        case .none: nil
        }
    }

    /// The outcome of running the creation, and the reply to keep under the key with it.
    package func outcome(of created: Resource) -> (outcome: IdempotentOutcome, kept: StoredReply) {
        let stored = reply(created)
        return (.created(created, stored), stored)
    }
}
