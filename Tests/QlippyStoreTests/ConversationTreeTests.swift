import QlippyModel
import QlippyStore
import Testing

/// The tree rules both stores share (``ConversationTree``): implicit parents, the current branch,
/// switching, and what a delete writes.
@Suite("Conversation trees")
struct ConversationTreeTests {
    /// q1 → a1 → q2 → a2 (a line), then q2' under a1 (an edit) and a2' under q2' (its answer).
    static let ids = ["q1", "a1", "q2", "a2", "q2e", "a2e"]
    static let rows: [String: String?] = ["q2e": "a1", "a2e": "q2e"]

    @Test func messagesWithoutARowHangUnderTheMessageBefore() {
        let line = ConversationTree(ids: ["a", "b", "c"], parentRows: [:], storedCurrent: nil)
        #expect(line.parents == [nil, 0, 1])
        #expect(line.currentBranch == [0, 1, 2])
        #expect(!line.isBranched)

        let tree = ConversationTree(ids: Self.ids, parentRows: Self.rows, storedCurrent: "a2e")
        #expect(tree.parents == [nil, 0, 1, 2, 1, 4])
        #expect(tree.currentBranch.map { Self.ids[$0] } == ["q1", "a1", "q2e", "a2e"])
        #expect(tree.parent(of: 4) == .message("a1"))
        #expect(tree.parent(of: 0) == .root)
    }

    @Test func rowsNamingAMissingMessageOrLoopingAreHarmless() {
        // A row naming a message the conversation lacks counts as no row.
        let dangling = ConversationTree(ids: ["a", "b"], parentRows: ["b": "gone"], storedCurrent: "b")
        #expect(dangling.parents == [nil, 0])
        // A hand-written loop ends the branch instead of running forever.
        let loop = ConversationTree(ids: ["a", "b"], parentRows: ["a": "b", "b": "a"], storedCurrent: "b")
        #expect(loop.currentBranch == [0, 1])
        // A stored current message that is gone: the last message.
        let lost = ConversationTree(ids: ["a", "b"], parentRows: [:], storedCurrent: "gone")
        #expect(lost.current == 1)
    }

    @Test func addingBranchesOnlyWhenTheParentIsNotTheCurrentMessage() throws {
        func add(_ parent: NewMessageParent, current: String?, last: String?, isBranched: Bool = false, exists: Bool = true) throws
            -> TreeChanges
        {
            try ConversationTree.adding("n", under: parent, current: current, last: last, isBranched: isBranched, parentExists: exists)
        }
        #expect(try add(.current, current: "c", last: "c") == TreeChanges())
        #expect(try add(.message("c"), current: "c", last: "c") == TreeChanges(), "naming the last message keeps a line")
        #expect(try add(.message("a"), current: "c", last: "c") == TreeChanges(parentRows: ["n": "a"], current: .set("n")))
        #expect(try add(.root, current: "c", last: "c") == TreeChanges(parentRows: ["n": nil], current: .set("n")))
        #expect(try add(.root, current: nil, last: nil) == TreeChanges(), "the first message of all")
        // Once branched: the new message is current; a row only when it does not follow the last message.
        #expect(try add(.current, current: "b", last: "c", isBranched: true) == TreeChanges(parentRows: ["n": "b"], current: .set("n")))
        #expect(try add(.current, current: "c", last: "c", isBranched: true) == TreeChanges(current: .set("n")))
        #expect(throws: StoreError.notInConversation(.parentID)) { try add(.message("x"), current: "c", last: "c", exists: false) }
    }

    @Test func switchingGoesToTheNewestLeafUnderTheMessage() throws {
        let tree = ConversationTree(ids: Self.ids, parentRows: Self.rows, storedCurrent: "a2e")
        #expect(try tree.switching(to: "q2") == TreeChanges(current: .set("a2")))
        #expect(try tree.switching(to: "a1") == TreeChanges(), "a2e is the newest leaf under a1 and current already")
        #expect(try tree.switching(to: "q1") == TreeChanges())
        #expect(throws: StoreError.notInConversation(.currentMessageID)) { try tree.switching(to: "elsewhere") }
        let line = ConversationTree(ids: ["a", "b"], parentRows: [:], storedCurrent: nil)
        #expect(try line.switching(to: "a") == TreeChanges(), "a line's only leaf is its current message")
    }

    @Test func deletingAloneReattachesRepliesToTheParent() {
        let tree = ConversationTree(ids: Self.ids, parentRows: Self.rows, storedCurrent: "a2")
        // a1 has two replies: q2 (no row: once a1 is gone, the message before it is q1 anyway)
        // and q2e (a row, which now names q1).
        #expect(tree.deleting("a1", withReplies: false) == TreeChanges(parentRows: ["q2e": "q1"], deleted: ["a1"], moved: ["q2", "q2e"]))
        #expect(tree.deleting("q2", withReplies: false) == TreeChanges(deleted: ["q2"], moved: ["a2"]))
        #expect(tree.deleting("q2e", withReplies: false) == TreeChanges(parentRows: ["a2e": "a1"], deleted: ["q2e"], moved: ["a2e"]))
        // A reply without a row whose message before would no longer be its grandparent gets one.
        let implicit = ConversationTree(ids: Self.ids, parentRows: ["q2e": "a1"], storedCurrent: "a2e")
        #expect(implicit.deleting("q2e", withReplies: false) == TreeChanges(parentRows: ["a2e": "a1"], deleted: ["q2e"], moved: ["a2e"]))
        // A root's replies become roots.
        let edited = ConversationTree(ids: ["q1", "a1", "q1b", "a1b"], parentRows: ["q1b": nil, "a1b": "q1b"], storedCurrent: "a1b")
        #expect(edited.deleting("q1b", withReplies: false) == TreeChanges(parentRows: ["a1b": nil], deleted: ["q1b"], moved: ["a1b"]))
        // In a line nothing but the message changes: the next one hangs under the one before.
        let line = ConversationTree(ids: ["a", "b", "c"], parentRows: [:], storedCurrent: nil)
        #expect(line.deleting("b", withReplies: false) == TreeChanges(deleted: ["b"], moved: ["c"]), "moved, with no row to write")
        // The current message goes: the newest leaf under its parent takes over.
        #expect(tree.deleting("a2", withReplies: false) == TreeChanges(current: .set("q2"), deleted: ["a2"]))
        let answered = ConversationTree(ids: Self.ids, parentRows: Self.rows, storedCurrent: "a2e")
        #expect(answered.deleting("q2e", withReplies: false) == TreeChanges(parentRows: ["a2e": "a1"], deleted: ["q2e"], moved: ["a2e"]))
    }

    @Test func deletingWithRepliesRemovesTheSubtree() {
        let tree = ConversationTree(ids: Self.ids, parentRows: Self.rows, storedCurrent: "a2e")
        #expect(tree.deleting("q2e", withReplies: true) == TreeChanges(current: .set("a2"), deleted: ["q2e", "a2e"]))
        #expect(tree.deleting("q1", withReplies: true) == TreeChanges(current: .none, deleted: Self.ids))
        let line = ConversationTree(ids: ["a", "b", "c"], parentRows: [:], storedCurrent: nil)
        #expect(line.deleting("b", withReplies: true) == TreeChanges(deleted: ["b", "c"]))
    }

    @Test func readsPickTheCurrentBranchOrEveryMessageWithItsParent() {
        let messages = Self.ids.map { Message(id: $0, conversationID: "c", role: "user", content: $0, timestamp: nil) }
        let tree = ConversationTree(ids: Self.ids, parentRows: Self.rows, storedCurrent: "a2")
        #expect(BranchReads.ids(of: tree, .current) == ["q1", "a1", "q2", "a2"])
        #expect(BranchReads.ids(of: tree, .all) == Self.ids)
        // Fetched in any order, arranged along the branch; a message gone meanwhile is left out.
        let branch = BranchReads.arrange(Array(messages[0..<3].reversed()), by: tree, .current, message: \.self)
        #expect(branch.map(\.id) == ["q1", "a1", "q2"])
        #expect(branch.map(\.parent) == [.root, .message("q1"), .message("a1")])
        let all = BranchReads.arrange(messages.reversed(), by: tree, .all, message: \.self)
        #expect(all.map(\.parent?.id) == [nil, "q1", "a1", "q2", "a1", "q2e"])
        #expect(BranchReads.current(of: tree) == "a2")
    }

    /// Import ids: a message's own id when free, its derived one when another row holds it, a new
    /// one when a row holds that too or the file repeats the id.
    @Test func importedMessagesGetTheirOwnIdElseTheDerivedOneElseANewOne() {
        let message = { (id: String) in ImportedMessage(id: id, role: "user", content: id, timestamp: nil) }
        let conversation = ImportedConversation(
            id: "c", title: "t", folder: nil, createdAt: nil, lastUpdated: nil, messages: ["x", "x", "y", "z"].map(message))
        let derivedY = ImportIDs.derived("y", for: "u")
        #expect(conversation.derivedMessageIDs(takenOwn: ["y", "z"], for: "u") == [derivedY, ImportIDs.derived("z", for: "u")])
        let ids = conversation.messageIDs(taken: ["y", "z", ImportIDs.derived("z", for: "u")], for: "u")
        #expect(ids[0] == "x")
        #expect(ids[1] != "x" && ids[1] != ImportIDs.derived("x", for: "u"), "a repeat within the file gets a new id")
        #expect(ids[2] == derivedY)
        #expect(ids[3] != "z" && ids[3] != ImportIDs.derived("z", for: "u"))
        #expect(ImportIDs.rowID("y", owners: ["y": "other"], importingFor: "u") == derivedY)
        #expect(ImportIDs.rowID("y", owners: ["y": "other", derivedY: "u"], importingFor: "u") == nil, "already imported")
        #expect(ImportIDs.rowID("y", owners: ["y": "u"], importingFor: "u") == nil)
    }
}
