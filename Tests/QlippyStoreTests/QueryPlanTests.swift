import Foundation
import GRDB
import QlippyModel
import QlippyTestSupport
import Testing

@testable import QlippySQLite
@testable import QlippyStore

/// The store's lookups walk indexes: `EXPLAIN QUERY PLAN` of each statement it runs shows
/// no full table scan and no sort outside an index. One statement at a time: each opens a copy of
/// the legacy file, and some 30 pools open at once (with the other suites' servers) held 1 900
/// descriptors, past which Foundation's `Process.run` (used by the command-line tests) crashed.
@Suite("Query plans", .sqliteOnly, .serialized)
struct QueryPlanTests {
    @Test(arguments: Queries.all.map(\.name) + PageQueries.all.map(\.name))
    func usesIndexes(name: String) throws {
        let sql = try #require((Queries.all + PageQueries.all).first { $0.name == name }?.sql)
        let database = try AppDatabase.open(path: Fixtures.copyOfLegacyDatabase())
        defer { try? database.pool.close() }
        let plan = try database.pool.read { db in
            let placeholders = sql.filter { $0 == "?" }.count
            let arguments = StatementArguments(Array(repeating: "x", count: placeholders))
            return try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN \(sql)", arguments: arguments).map { $0["detail"] as String }
        }
        #expect(!plan.isEmpty)
        for step in plan {
            #expect(!(step.hasPrefix("SCAN") && !step.contains("INDEX")), "\(name): \(step)")
            #expect(!step.contains("TEMP B-TREE"), "\(name) sorts instead of reading in index order: \(step)")
        }
    }

    /// Search's statements for each kind of filter: the indexed one starts from the full-text index
    /// (a `MATCH`, not a scan of messages) and finds owners by rowid; the messages above the
    /// index's mark are read from the mark on when they are few (the index has caught up), else
    /// the user's; the others read only the user's rows, or one conversation's.
    @Test(arguments: [
        SearchQuery(text: "x"), SearchQuery(text: "x", conversations: ConversationFilter(folder: "work")),
        SearchQuery(text: "x", conversations: ConversationFilter(folder: "")),
        SearchQuery(text: "x", conversations: ConversationFilter(archived: .only, tag: "x")),
        SearchQuery(text: "x", role: "user", from: Timestamp(microsecondsSinceEpoch: 0), to: Timestamp(microsecondsSinceEpoch: 1)),
    ])
    func searchUsesItsIndexes(query: SearchQuery) throws {
        let filter = SearchFilter(query, userID: "u")
        let database = try AppDatabase.open(path: Fixtures.copyOfLegacyDatabase())
        defer { try? database.pool.close() }
        let statements = [
            SearchSQL.conversations(filter), SearchSQL.indexedMessages(filter), SearchSQL.scannedMessages(filter), SearchSQL.messageOrder,
            SearchSQL.boundedMessageCount(filter), SearchSQL.messagesNotIndexed(filter, few: true),
            SearchSQL.messagesNotIndexed(filter, few: false),
        ]
        let plans = try database.pool.read { db in
            try statements.map { sql in
                let arguments = StatementArguments(Array(repeating: "x", count: sql.filter { $0 == "?" }.count))
                return try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN \(sql)", arguments: arguments).map { $0["detail"] as String }
            }
        }
        for plan in plans {
            #expect(!plan.isEmpty)
            // A scan of a subquery's own rows (the bounded count's) reads no table.
            for step in plan where !step.hasPrefix("SCAN (subquery-") {
                #expect(!(step.hasPrefix("SCAN") && !step.contains("INDEX")), "\(step)")
                #expect(!step.contains("TEMP B-TREE"), "\(step)")
            }
        }
        #expect(plans[0].first?.contains("conversations_by_user") == true, "\(plans[0])")
        #expect(plans[1].first?.contains("VIRTUAL TABLE INDEX") == true, "\(plans[1])")
        #expect(plans[1].contains { $0.contains("SEARCH o USING INTEGER PRIMARY KEY") }, "\(plans[1])")
        #expect(plans[2].first?.contains("conversations_by_user") == true, "\(plans[2])")
        #expect(plans[4].contains { $0.contains("conversations_by_user") }, "\(plans[4])")
        #expect(plans[3] == ["SEARCH messages USING COVERING INDEX messages_by_conversation (conversation_id=?)"], "\(plans[3])")
        // A tag's or the archive's conversations, found by their own index, may come first
        // instead: then only their messages are read.
        let fromMark = plans[5].first == "SEARCH m USING INTEGER PRIMARY KEY (rowid>?)"
        let fromList = plans[5].contains("LIST SUBQUERY 1") && plans[5].first?.contains("messages_by_conversation") == true
        #expect(fromMark || (query.conversations.tag != nil && fromList), "\(plans[5])")
        #expect(plans[6].first?.contains("conversations_by_user") == true, "\(plans[6])")
    }
}
