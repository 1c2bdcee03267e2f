import QlippyModel

/// How both stores answer a read of a conversation's messages from all of them: a conversation
/// that never branched, read for its current branch, is all of its messages as they are (no tree is
/// built); otherwise the tree picks the current branch or gives every message its parent.
package enum BranchReads {
    /// `messages`: all of the conversation's, in its order. Returns the messages the read returns
    /// and the current message to show (`nil` when the answer shows none).
    package static func select(
        _ messages: [Message], parentRows: [String: String?], storedCurrent: String?, branches: BranchSelection
    ) -> (messages: [Message], current: String?) {
        if storedCurrent == nil, branches == .current { return (messages, nil) }
        let tree = ConversationTree(ids: messages.map(\.id), parentRows: parentRows, storedCurrent: storedCurrent)
        let positions: [Int] = branches == .all ? Array(messages.indices) : tree.currentBranch
        let selected = positions.map { position in
            var message = messages[position]
            message.parent = tree.parent(of: position)
            return message
        }
        return (selected, tree.current.map { tree.ids[$0] })
    }

    /// A page of ``select(_:parentRows:storedCurrent:branches:)``'s messages, each with its key: those
    /// after `page.after`, in the order of their keys (on a branch, keys grow from parent to child
    /// unless imported times say otherwise).
    package static func page(
        _ keyed: [(Message, PageKey)], parentRows: [String: String?], storedCurrent: String?, branches: BranchSelection, page: PageRequest
    ) -> Page<Message> {
        let keys = Dictionary(keyed.map { ($0.0.id, $0.1) }, uniquingKeysWith: { first, _ in first })
        let selected = select(keyed.map(\.0), parentRows: parentRows, storedCurrent: storedCurrent, branches: branches).messages
        let rows = selected.compactMap { message in keys[message.id].map { (message, $0) } }
            .filter { row in page.after.map { PageKey.newestFirst(row.1, $0) } ?? true }
            .sorted { PageKey.newestFirst($1.1, $0.1) }
        return Page(rows, limit: page.limit)
    }
}
