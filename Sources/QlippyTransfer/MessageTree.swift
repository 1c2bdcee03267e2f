import QlippyModel
import QlippyStore

/// Chat apps keep a conversation as a tree of messages (editing a turn starts a branch) and
/// remember the node the user last saw. Both ChatGPT's and Open WebUI's exports are read this way:
/// every node, through its parent link (`children` links are never needed: some exports omit them).
/// The nodes an import keeps hang under their nearest kept ancestor, and the current message is
/// the seen node or its nearest kept ancestor.
package enum MessageTree {
    /// Why a conversation's tree cannot be followed; the import reports it and goes on.
    package struct Broken: Error, CustomStringConvertible {
        package var description: String
    }

    /// One node as the format reads it.
    package struct Node {
        /// `nil` for a root, or for a node whose parent was not exported.
        package var parent: String?
        /// Its own time; a node without one takes its parent's (kept or not), a root the conversation's.
        package var time: Timestamp?
    }

    /// The kept messages in the store's order (time, nodes without one first; then depth and id),
    /// each with its parent, and the current message's id. `seen` is the node the user last saw
    /// (named `seenName` in a report), which must be in `nodes`; `keep` makes a node a message
    /// with the time it got, or leaves it out (`nil`, counted by the caller).
    ///
    /// Nodes are numbered once and then handled by number, not looked up by id at each step: an
    /// import runs this for every message it writes.
    package static func messages(
        _ nodes: [String: Node], seen: String, named seenName: String, conversationTime: Timestamp?,
        keep: (String, Timestamp?) -> ImportedMessage?
    ) throws -> (messages: [ImportedMessage], current: String?) {
        guard nodes[seen] != nil else { throw Broken(description: "\(seenName) \(seen) is not in the conversation's messages") }
        let ids = nodes.keys.sorted()
        var numbers: [String: Int] = [:]
        numbers.reserveCapacity(ids.count)
        for (number, id) in ids.enumerated() { numbers[id] = number }
        // A parent that was not exported: the node is a root.
        let parents = ids.map { id in nodes[id]?.parent.flatMap { numbers[$0] } }
        var depths = [Int](repeating: -1, count: ids.count)
        var times = [Timestamp?](repeating: nil, count: ids.count)
        for number in ids.indices {
            try place(number, ids, parents, { nodes[ids[$0]]?.time }, &depths, &times, conversationTime)
        }
        let order = ids.indices.sorted { a, b in
            (times[a]?.microsecondsSinceEpoch ?? .min, depths[a], ids[a]) < (times[b]?.microsecondsSinceEpoch ?? .min, depths[b], ids[b])
        }
        var kept = [ImportedMessage?](repeating: nil, count: ids.count)
        for number in order { kept[number] = keep(ids[number], times[number]) }
        /// The nearest kept node at or above `number` (a loop was refused by `place`).
        func keptAncestor(_ number: Int?) -> Int? {
            var next = number
            while let node = next, kept[node] == nil { next = parents[node] }
            return next
        }
        let messages = order.compactMap { number -> ImportedMessage? in
            guard var message = kept[number] else { return nil }
            message.parent = MessageParent(row: keptAncestor(parents[number]).flatMap { kept[$0]?.id })
            return message
        }
        return (messages, keptAncestor(numbers[seen]).flatMap { kept[$0]?.id })
    }

    /// Records the depth and time of node `number` and of every node above it that lacks them
    /// (`depths` is -1 for those).
    private static func place(
        _ number: Int, _ ids: [String], _ parents: [Int?], _ ownTime: (Int) -> Timestamp?, _ depths: inout [Int],
        _ times: inout [Timestamp?], _ conversationTime: Timestamp?
    ) throws {
        var path: [Int] = []
        var next: Int? = number
        while let node = next, depths[node] < 0 {
            // A walk longer than the tree has nodes has met a node twice.
            guard path.count <= ids.count else { throw Broken(description: "the parent links form a cycle at \(ids[node])") }
            path.append(node)
            next = parents[node]
        }
        var depth = next.map { depths[$0] } ?? -1
        var time = next.map { times[$0] } ?? conversationTime
        for node in path.reversed() {
            depth += 1
            time = ownTime(node) ?? time
            depths[node] = depth
            times[node] = time
        }
    }
}
