import GRDB
import QlippyModel
import QlippyStore

/// Runs a lookup's SQL and hands over each row while it is current: a ``ReadConnection`` on the
/// read routes, GRDB's `Database` inside a write. The lookups below are written once for both.
protocol RowSource {
    /// Steps `sql` with text `arguments`, calling `body` on each row.
    func forEachRow(_ sql: String, _ arguments: [String], _ body: (Columns) throws -> Void) throws
}

extension ReadConnection: RowSource {}

extension Database: RowSource {
    /// A statement from the connection's cache (preparing one, with its triggers and GRDB's
    /// authorizer, cost more than running it), stepped by GRDB's cursor.
    func forEachRow(_ sql: String, _ arguments: [String], _ body: (Columns) throws -> Void) throws {
        let statement = try cachedStatement(sql: sql)
        let cursor = try Row.fetchCursor(statement, arguments: StatementArguments(arguments))
        let columns = Columns(statement: statement.sqliteStatement)
        while try cursor.next() != nil {
            try body(columns)
        }
    }
}

extension RowSource {
    /// Steps `sql` until `body` returns false or the rows end.
    func forEachRow(_ sql: String, _ arguments: [String], while body: (Columns) throws -> Bool) throws {
        do {
            try forEachRow(sql, arguments) { row in
                guard try body(row) else { throw EnoughRows() }
            }
        } catch is EnoughRows {}
    }

    /// Each row decoded from the statement's own buffers (``Columns``), without copying rows first.
    func fetchAll<Record>(_ sql: String, _ arguments: [String], _ decode: (Columns) -> Record) throws -> [Record] {
        var records: [Record] = []
        try forEachRow(sql, arguments) { records.append(decode($0)) }
        return records
    }

    func fetchOne<Record>(_ sql: String, _ arguments: [String], _ decode: (Columns) -> Record) throws -> Record? {
        var record: Record?
        try forEachRow(sql, arguments) { row in
            if record == nil { record = decode(row) }
        }
        return record
    }

    func fetchUser(id: String) throws -> User {
        guard let user = try fetchOne(Queries.user, [id], User.init) else { throw StoreError.notFound(.user) }
        return user
    }

    /// "Not found" unless the user exists: without the conversation count ``fetchUser(id:)``
    /// computes, which reads every index entry of the user's conversations (a list of the heavy
    /// user's 5 000 spent more on that count than on the 10 rows of a page).
    func requireUser(id: String) throws {
        guard try fetchOne(Queries.userExists, [id], { _ in () }) != nil else { throw StoreError.notFound(.user) }
    }

    /// The conversation's messages, oldest first, each with its details.
    func fetchMessages(ofConversation id: String) throws -> [Message] {
        try attachingDetails(to: fetchAll(Queries.messagesOfConversation, [id], Message.init), ofConversation: id)
    }

    /// The message with its details, and its parent when its conversation has branched; `nil` when there is none.
    func fetchMessage(id: String) throws -> Message? {
        guard var message = try fetchOne(Queries.message, [id], Message.init) else { return nil }
        if let details = try fetchOne(Queries.details, [message.conversationID, id], { row in MessageDetails(row) }) {
            message.details = details
        }
        if let current = try storedCurrentMessage(ofConversation: message.conversationID) {
            let tree = try fetchTree(ofConversation: message.conversationID, storedCurrent: current)
            message.parent = tree.position(of: id).map(tree.parent(of:))
        }
        return message
    }

    /// Messages of one conversation with their details: one range of `message_details`'s key.
    func attachingDetails(to messages: [Message], ofConversation id: String) throws -> [Message] {
        guard !messages.isEmpty else { return messages }
        var details: [String: MessageDetails] = [:]
        try forEachRow(Queries.detailsOfConversation, [id]) { row in details[row.text(0) ?? ""] = MessageDetails(row) }
        return messages.attaching(details)
    }

    /// The conversation, with its current message when it has branched.
    func fetchConversation(id: String) throws -> Conversation {
        guard var conversation = try fetchOne(Queries.conversation, [id], Conversation.init) else {
            throw StoreError.notFound(.conversation)
        }
        conversation.currentMessageID = try storedCurrentMessage(ofConversation: id)
        return conversation
    }

    // MARK: Branches

    /// The current message of a conversation that has branched; `nil` for one that never did.
    func storedCurrentMessage(ofConversation id: String) throws -> String? {
        try fetchOne(Queries.currentMessage, [id]) { $0.text(0) } ?? nil
    }

    /// The conversation's parent rows (message id → parent id, `nil` for a root).
    func parentRows(ofConversation id: String) throws -> [String: String?] {
        var rows: [String: String?] = [:]
        try forEachRow(Queries.parentsOfConversation, [id]) { row in rows[row.text(0) ?? ""] = .some(row.text(1)) }
        return rows
    }

    /// The conversation (as ``fetchConversation(id:)`` gives it, with its stored current message)
    /// with the messages a read returns (``BranchReads``), and its current message when it has
    /// branched or every message is read.
    func conversationDetail(_ conversation: Conversation, branches: BranchSelection) throws -> ConversationDetail {
        var conversation = conversation
        let id = conversation.id
        let stored = conversation.currentMessageID
        guard stored != nil || branches == .all else {
            return ConversationDetail(conversation: conversation, messages: try fetchMessages(ofConversation: id))
        }
        let (arranged, tree) = try arrangedMessages(ofConversation: id, storedCurrent: stored, branches)
        let messages = try attachingDetails(to: arranged.map(\.0), ofConversation: id)
        conversation.currentMessageID = BranchReads.current(of: tree)
        return ConversationDetail(conversation: conversation, messages: messages)
    }

    /// The messages a read of a conversation returns as ``BranchReads/arrange(_:by:_:message:)``
    /// gives them, each with its key (``PageKey``), and the conversation's tree. Every message is
    /// one range of the index, whose order is the tree's; a branch is its tree read first (ids
    /// only), then its messages by id, a statement per run of up to ``SQLiteStore/rowsPerInsert`` ids.
    func arrangedMessages(ofConversation id: String, storedCurrent: String?, _ branches: BranchSelection) throws -> (
        [(Message, PageKey)], ConversationTree
    ) {
        let keyed = { (row: Columns) in (Message(row), PageKey(time: row.text(5), sequence: row.int64(6))) }
        if branches == .all {
            let all = try fetchAll(Queries.keyedMessagesOfConversation, [id], keyed)
            let rows = storedCurrent == nil ? [:] : try parentRows(ofConversation: id)
            let tree = ConversationTree(ids: all.map(\.0.id), parentRows: rows, storedCurrent: storedCurrent)
            return (BranchReads.arrange(all, by: tree, .all, message: \.0), tree)
        }
        let tree = try fetchTree(ofConversation: id, storedCurrent: storedCurrent)
        let ids = BranchReads.ids(of: tree, branches)
        var found: [(Message, PageKey)] = []
        for chunk in SQLiteStore.chunks(of: ids.count) {
            let marks = Array(repeating: "?", count: chunk.count).joined(separator: ", ")
            found += try fetchAll(Queries.keyedMessagesByID(marks), Array(ids[chunk]), keyed)
        }
        return (BranchReads.arrange(found, by: tree, branches, message: \.0), tree)
    }

    /// The conversation's tree, from its message ids and parent rows.
    func fetchTree(ofConversation id: String, storedCurrent: String?) throws -> ConversationTree {
        let ids = try fetchAll(Queries.messageIDsOfConversation, [id]) { $0.text(0) ?? "" }
        let rows = storedCurrent == nil ? [:] : try parentRows(ofConversation: id)
        return ConversationTree(ids: ids, parentRows: rows, storedCurrent: storedCurrent)
    }
}

/// Thrown by a `forEachRow(_:_:while:)` body to stop stepping; caught there, never seen outside.
private struct EnoughRows: Error {}
