/// What checking a store's file found: its integrity problems (none when it is sound) and the
/// rows of the original's four tables.
public struct IntegrityReport: Sendable, Equatable {
    public var problems: [String]
    public var counts: [String: Int]

    public init(problems: [String], counts: [String: Int]) {
        self.problems = problems
        self.counts = counts
    }

    public var isSound: Bool { problems.isEmpty }

    /// The original's four tables, in the order reports list them.
    public static let tables = ["users", "conversations", "messages", "plugins"]
}
