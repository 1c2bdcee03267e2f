import PostgresNIO

/// `UPDATE table SET … RETURNING …` for only the columns a partial update names.
struct PostgresUpdate {
    let table: String
    /// The alias the `RETURNING` list uses (`c` for `PostgresRows.conversation`).
    let alias: String
    /// A further condition on the row (over ``alias``), `""` for none.
    let condition: String
    private var assignments: [String] = []
    private var bindings = PostgresBindings()

    init(table: String, alias: String, condition: String = "") {
        self.table = table
        self.alias = alias
        self.condition = condition
    }

    /// `cast`: a type the text value is cast to (`timestamp`).
    mutating func set(_ column: String, _ value: some PostgresNonThrowingEncodable & Sendable, cast: String? = nil) {
        bindings.append(value)
        assignments.append("\(column) = $\(bindings.count)" + (cast.map { "::\($0)" } ?? ""))
    }

    mutating func set(_ column: String, _ value: String?, cast: String? = nil) {
        bindings.append(value)
        assignments.append("\(column) = $\(bindings.count)" + (cast.map { "::\($0)" } ?? ""))
    }

    /// The update of row `id`, answering `returning` (a select list over ``alias``) for it; no row
    /// when there is no such row. With nothing to set, the row is read as it is.
    func query(id: String, returning: String) -> PostgresQuery {
        var bindings = bindings
        bindings.append(id)
        let set = assignments.isEmpty ? "id = id" : assignments.joined(separator: ", ")
        return PostgresQuery(
            unsafeSQL: "UPDATE \(table) \(alias) SET \(set) WHERE \(alias).id = $\(bindings.count)\(condition) RETURNING \(returning)",
            binds: bindings
        )
    }
}
