/// Where a message hangs in its conversation's tree.
public enum MessageParent: Sendable, Hashable, Codable {
    /// A first message: the conversation's, or a sibling of it (an edit of the first question).
    case root
    case message(String)

    /// The parent's id; `nil` for a root.
    public var id: String? {
        if case .message(let id) = self { id } else { nil }
    }

    /// A parent row's parent (`nil`: a root).
    public init(row parentID: String?) {
        self = parentID.map(MessageParent.message) ?? .root
    }
}

/// Where a new message goes.
public enum NewMessageParent: Sendable, Hashable {
    /// After the conversation's current message (the original's behaviour: after the last one).
    case current
    /// A new first message beside the existing ones.
    case root
    /// Under this message of the same conversation.
    case message(String)

    /// The parent a caller named, if any.
    public var named: String? {
        if case .message(let id) = self { id } else { nil }
    }
}

/// Which of a conversation's messages a read returns.
public enum BranchSelection: Sendable, Hashable {
    /// The current branch, from its first message to the current one.
    case current
    /// Every message, oldest first, each with its parent.
    case all
}

/// A conversation's messages as a tree, built from what both stores keep, with the rules they share.
///
/// Stores keep a parent row (`message_parents`) only where the tree is not the messages' order:
/// a message without one hangs under the message before it (the first one is a root). So the
/// original's rows, and every conversation that never branched, need no row at all, and a
/// conversation of the original stays a line. A conversation branches when a message is added
/// under another than the last one; from then on it has a current message (`current_messages`),
/// and a message added to it gets a parent row unless it hangs under the last message (a branch
/// that grows at the end needs none). A parent row naming a message the conversation
/// no longer has (the original backend deletes without reattaching) counts as no row.
public struct ConversationTree: Sendable {
    /// The messages' ids in the conversation's order (time, then creation).
    public let ids: [String]
    /// Each message's parent, by position; `nil` for a root.
    public let parents: [Int?]
    /// Whether each message has a parent row that counts.
    private let hasRow: [Bool]
    /// The current message's position: the stored one when the conversation has branched, else the last.
    public let current: Int?
    /// Whether the conversation has branched (it has a stored current message).
    public let isBranched: Bool
    private let positions: [String: Int]

    /// `parentRows`: the stored parent rows (message id → parent id, `nil` for a root);
    /// `storedCurrent`: the stored current message, `nil` for a conversation that never branched.
    public init(ids: [String], parentRows: [String: String?], storedCurrent: String?) {
        var positions: [String: Int] = [:]
        positions.reserveCapacity(ids.count)
        for (position, id) in ids.enumerated() { positions[id] = position }
        var parents: [Int?] = []
        var hasRow: [Bool] = []
        parents.reserveCapacity(ids.count)
        hasRow.reserveCapacity(ids.count)
        for (position, id) in ids.enumerated() {
            let implicit = position == 0 ? nil : position - 1
            switch parentRows[id] {
            case nil:
                parents.append(implicit)
                hasRow.append(false)
            case .some(nil):
                parents.append(nil)
                hasRow.append(true)
            case .some(let parent?):
                let found = positions[parent].flatMap { $0 == position ? nil : $0 }
                parents.append(found ?? implicit)
                hasRow.append(found != nil)
            }
        }
        self.ids = ids
        self.parents = parents
        self.hasRow = hasRow
        self.positions = positions
        self.isBranched = storedCurrent != nil
        self.current = storedCurrent.flatMap { positions[$0] } ?? (ids.isEmpty ? nil : ids.count - 1)
    }

    public func position(of id: String) -> Int? { positions[id] }

    /// The parent of the message at `position`, as the API writes it.
    public func parent(of position: Int) -> MessageParent {
        parents[position].map { .message(ids[$0]) } ?? .root
    }

    /// The current branch's positions, first message first. A loop in hand-written rows ends the branch.
    public var currentBranch: [Int] {
        guard let current else { return [] }
        var branch: [Int] = []
        var seen = Set<Int>()
        var next: Int? = current
        while let position = next, seen.insert(position).inserted {
            branch.append(position)
            next = parents[position]
        }
        return branch.reversed()
    }

    /// Positions of the message at `position` and everything under it.
    public func subtree(of position: Int) -> Set<Int> {
        Self.subtree(of: position, children: Self.children(of: parents))
    }

    private static func subtree(of position: Int, children: [Int: [Int]]) -> Set<Int> {
        var found: Set<Int> = [position]
        var pending = [position]
        while let next = pending.popLast() {
            for child in children[next, default: []] where found.insert(child).inserted { pending.append(child) }
        }
        return found
    }

    /// The newest leaf at or under `position` (of the whole tree for `nil`) with these `parents`,
    /// leaving out the `removed` messages.
    private static func newestLeaf(under position: Int?, parents: [Int?], removed: Set<Int> = []) -> Int? {
        let children = children(of: parents)
        let candidates = position.map { subtree(of: $0, children: children) } ?? Set(parents.indices)
        return candidates.subtracting(removed).filter { node in children[node, default: []].allSatisfy(removed.contains) }.max()
    }

    private static func children(of parents: [Int?]) -> [Int: [Int]] {
        var children: [Int: [Int]] = [:]
        for (position, parent) in parents.enumerated() {
            if let parent { children[parent, default: []].append(position) }
        }
        return children
    }

    // MARK: Changes

    /// What adding message `id` under `parent` writes: the new current message (itself), with a
    /// parent row unless it hangs under the conversation's last message, or nothing while the
    /// conversation stays a line. Needs no tree: `current` is the conversation's current message,
    /// `last` its last one in its order (the same until it branches), `parentExists` whether a named
    /// parent is one of its messages.
    public static func adding(
        _ id: String, under parent: NewMessageParent, current: String?, last: String?, isBranched: Bool, parentExists: Bool
    ) throws(StoreError) -> TreeChanges {
        let parentID: String?
        switch parent {
        case .current: parentID = current
        case .root: parentID = nil
        case .message(let named):
            guard parentExists else { throw .notInConversation(.parentID) }
            parentID = named
        }
        if !isBranched, parentID == last { return TreeChanges() }
        return TreeChanges(parentRows: parentID == last ? [:] : [id: parentID], current: .set(id))
    }

    /// Switching to `id`: the current message becomes the newest leaf under it.
    public func switching(to id: String) throws(StoreError) -> TreeChanges {
        guard let position = positions[id] else { throw .notInConversation(.currentMessageID) }
        guard let leaf = Self.newestLeaf(under: position, parents: parents), leaf != current else { return TreeChanges() }
        return TreeChanges(current: .set(ids[leaf]))
    }

    /// Deleting the message at `id`: alone, its children hang under its parent from then on;
    /// `withReplies`, everything under it goes too. A current message that goes is replaced by the
    /// newest leaf under the deleted message's parent (of the whole tree for a root).
    public func deleting(_ id: String, withReplies: Bool) -> TreeChanges {
        guard let position = positions[id] else { return TreeChanges() }
        let removed = withReplies ? subtree(of: position) : [position]
        var changes = TreeChanges(deleted: removed.sorted().map { ids[$0] })
        let parent = parents[position]
        if !withReplies {
            for (child, childParent) in parents.enumerated() where childParent == position {
                changes.moved.append(ids[child])
                // A child without a row would hang under the message before the deleted one.
                // `updateValue`: a root's `nil` assigned through the subscript would remove the key.
                let implicitAfter = position == 0 ? nil : position - 1
                if hasRow[child] || parent != implicitAfter { changes.parentRows.updateValue(parent.map { ids[$0] }, forKey: ids[child]) }
            }
        }
        guard isBranched, let current, removed.contains(current) else { return changes }
        var adopted = parents
        if !withReplies {
            for (child, childParent) in parents.enumerated() where childParent == position { adopted[child] = parent }
        }
        changes.current = Self.newestLeaf(under: parent, parents: adopted, removed: removed).map { .set(ids[$0]) } ?? .none
        return changes
    }
}

/// The rows a change to a conversation's tree writes.
public struct TreeChanges: Sendable, Hashable {
    /// What becomes of the stored current message.
    public enum Current: Sendable, Hashable {
        case unchanged
        case set(String)
        /// No message is left: the conversation has no current message.
        case none
    }

    /// Parent rows to write (message id → parent id, `nil` for a root), replacing any there.
    public var parentRows: [String: String?]
    public var current: Current
    /// Messages to delete.
    public var deleted: [String]
    /// Messages that hang under another message from now on (with a row written or not), in order.
    public var moved: [String]

    public init(parentRows: [String: String?] = [:], current: Current = .unchanged, deleted: [String] = [], moved: [String] = []) {
        self.parentRows = parentRows
        self.current = current
        self.deleted = deleted
        self.moved = moved
    }
}
