import QlippyModel

/// The id an imported row gets, decided alike by both stores: its own when free, a new one when
/// another user's row holds it, none when this user already has it (the import skips the row, so
/// importing the same file twice writes nothing the second time).
package enum ImportIDs {
    /// `owner`: the user whose row holds `id` now, `nil` when no row does.
    package static func rowID(_ id: String, heldBy owner: String?, importingFor userID: String) -> String? {
        guard let owner else { return id }
        return owner == userID ? nil : newID()
    }
}

extension ImportedConversation {
    /// The ids its messages are written under: each its own, except one that another row holds
    /// (`taken`) or an earlier message of this conversation already uses: that one gets a new id, so
    /// an import never overwrites a row and never fails a conversation over a repeated id.
    package func messageIDs(taken: Set<String>) -> [String] {
        var used = taken
        return messages.map { message in
            let id = used.contains(message.id) ? newID() : message.id
            used.insert(id)
            return id
        }
    }
}
