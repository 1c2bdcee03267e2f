import QlippyModel

/// The id an imported row gets, decided alike by both stores: its own when free; when another
/// user's row holds it, one derived from it and the importing user (``derived(_:for:)``), so that
/// importing the same file into that user again finds the row instead of copying it; none when this
/// user already has the row under either id (the import skips it, so importing the same file twice
/// writes nothing the second time).
package enum ImportIDs {
    /// The id a row of `userID`'s import takes when another user's row holds its own.
    package static func derived(_ id: String, for userID: String) -> String {
        StableID.make("import/\(userID)/\(id)")
    }

    /// The ids a row may be written under, in order: its own, then the derived one.
    package static func candidates(_ id: String, for userID: String) -> [String] {
        [id, derived(id, for: userID)]
    }

    /// `owners`: the user whose row holds each of the ``candidates(_:for:)`` now (absent: none).
    /// A new random id only when another user holds the derived one too.
    package static func rowID(_ id: String, owners: [String: String], importingFor userID: String) -> String? {
        for candidate in candidates(id, for: userID) {
            guard let owner = owners[candidate] else { return candidate }
            if owner == userID { return nil }
        }
        return newID()
    }
}

extension ImportedConversation {
    /// The derived ids (``ImportIDs/derived(_:for:)``) of the messages whose own ids another row
    /// holds (`takenOwn`): what a store asks about after their own ids, so that an import without
    /// such clashes derives none.
    package func derivedMessageIDs(takenOwn: Set<String>, for userID: String) -> [String] {
        messages.lazy.map(\.id).filter(takenOwn.contains).map { ImportIDs.derived($0, for: userID) }
    }

    /// The ids its messages are written under: each its own, else (another row holds it) its
    /// derived one, unless a row holds that too (`taken`: the rows found for both) or an earlier
    /// message of this conversation already uses the id: then a new one, so an import never
    /// overwrites a row and never fails a conversation over a repeated id.
    package func messageIDs(taken: Set<String>, for userID: String) -> [String] {
        var used: Set<String> = []
        return messages.map { message in
            var id = message.id
            // A derived id was looked up only for an id a row holds; a repeat within the file gets a new one.
            if taken.contains(id) { id = ImportIDs.derived(id, for: userID) }
            if taken.contains(id) || used.contains(id) { id = newID() }
            used.insert(id)
            return id
        }
    }

    /// The tree rows an import writes once its messages have their `ids` (``messageIDs(taken:for:)``):
    /// a parent row for each message that does not hang under the one before it, and the current
    /// message unless the conversation is a line that ends with it (``ConversationTree``).
    package func treeChanges(ids: [String]) -> TreeChanges {
        var positions: [String: Int] = [:]
        for (position, message) in messages.enumerated() where positions[message.id] == nil { positions[message.id] = position }
        var rows: [String: String?] = [:]
        for (position, message) in messages.enumerated() {
            let parent: Int?
            switch message.parent {
            case nil: continue
            case .root: parent = nil
            case .message(let parentID):
                // A parent the conversation lacks: the message hangs under the one before it.
                guard let found = positions[parentID], found != position else { continue }
                parent = found
            }
            if parent == (position == 0 ? nil : position - 1) { continue }
            rows.updateValue(parent.map { ids[$0] }, forKey: ids[position])
        }
        guard let last = ids.indices.last else { return TreeChanges() }
        let current = currentMessageID.flatMap { positions[$0] } ?? last
        return rows.isEmpty && current == last ? TreeChanges() : TreeChanges(parentRows: rows, current: .set(ids[current]))
    }
}
