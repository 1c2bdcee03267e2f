import QlippyModel

/// How both stores answer a read of a branched conversation's messages, or of every message: the
/// tree (ids and parent rows, no contents) says which messages the read returns, only those are
/// read, and the tree then orders them and gives each its parent. So the current branch of a long
/// history with many branches costs its branch. A conversation that never branched, read for its
/// current branch, is read as the original's (all of its messages, no tree).
package enum BranchReads {
    /// The ids of the messages a read returns.
    package static func ids(of tree: ConversationTree, _ branches: BranchSelection) -> [String] {
        positions(of: tree, branches).map { tree.ids[$0] }
    }

    /// The rows fetched by ``ids(of:_:)`` (in any order) as the read returns them: along the
    /// branch, or every message oldest first, each with its parent. A row gone since the tree was
    /// read is left out.
    package static func arrange<Row>(
        _ fetched: [Row], by tree: ConversationTree, _ branches: BranchSelection, message: WritableKeyPath<Row, Message>
    ) -> [Row] {
        let byID = Dictionary(fetched.map { ($0[keyPath: message].id, $0) }, uniquingKeysWith: { first, _ in first })
        return positions(of: tree, branches).compactMap { position in
            guard var row = byID[tree.ids[position]] else { return nil }
            row[keyPath: message].parent = tree.parent(of: position)
            return row
        }
    }

    /// The current message's id as a read shows it.
    package static func current(of tree: ConversationTree) -> String? {
        tree.current.map { tree.ids[$0] }
    }

    /// A page of messages, each with its key: those after `page.after`, in the order of their keys
    /// (on a branch, keys grow from parent to child unless imported times say otherwise).
    package static func page(_ keyed: [(Message, PageKey)], page: PageRequest) -> Page<Message> {
        let rows = keyed.filter { row in page.after.map { PageKey.newestFirst(row.1, $0) } ?? true }
            .sorted { PageKey.newestFirst($1.1, $0.1) }
        return Page(rows, limit: page.limit)
    }

    private static func positions(of tree: ConversationTree, _ branches: BranchSelection) -> [Int] {
        branches == .all ? Array(tree.ids.indices) : tree.currentBranch
    }
}
