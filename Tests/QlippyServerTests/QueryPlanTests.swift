import Foundation
import GRDB
@testable import QlippyStore
import Testing

/// The store's lookups walk indexes: `EXPLAIN QUERY PLAN` of each statement it runs shows
/// no full table scan and no sort outside an index.
@Suite("Query plans")
struct QueryPlanTests {
    @Test(arguments: Queries.all.map(\.name))
    func usesIndexes(name: String) throws {
        let sql = try #require(Queries.all.first { $0.name == name }?.sql)
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
}
