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
    package static func messages(
        _ nodes: [String: Node], seen: String, named seenName: String, conversationTime: Timestamp?,
        keep: (String, Timestamp?) -> ImportedMessage?
    ) throws -> (messages: [ImportedMessage], current: String?) {
        guard nodes[seen] != nil else { throw Broken(description: "\(seenName) \(seen) is not in the conversation's messages") }
        var depths: [String: Int] = [:]
        var times: [String: Timestamp?] = [:]
        for id in nodes.keys.sorted() { try place(id, nodes, &depths, &times, conversationTime) }
        let order = nodes.keys.sorted { a, b in
            (times[a]??.microsecondsSinceEpoch ?? .min, depths[a] ?? 0, a) < (times[b]??.microsecondsSinceEpoch ?? .min, depths[b] ?? 0, b)
        }
        var kept: [String: ImportedMessage] = [:]
        for id in order { kept[id] = keep(id, times[id] ?? nil) }
        /// The nearest kept node at or above `id` (a loop was refused by `place`).
        func keptAncestor(_ id: String?) -> String? {
            var next = id
            while let node = next, kept[node] == nil { next = nodes[node]?.parent.flatMap { nodes[$0] == nil ? nil : $0 } }
            return next
        }
        let messages = order.compactMap { id -> ImportedMessage? in
            guard var message = kept[id] else { return nil }
            message.parent = MessageParent(row: keptAncestor(nodes[id]?.parent).flatMap { kept[$0]?.id })
            return message
        }
        return (messages, keptAncestor(seen).flatMap { kept[$0]?.id })
    }

    /// Records the depth and time of `id` and of every node above it that lacks them.
    private static func place(
        _ id: String, _ nodes: [String: Node], _ depths: inout [String: Int], _ times: inout [String: Timestamp?],
        _ conversationTime: Timestamp?
    ) throws {
        var path: [String] = []
        var seen: Set<String> = []
        var next: String? = id
        while let node = next, depths[node] == nil {
            guard seen.insert(node).inserted else { throw Broken(description: "the parent links form a cycle at \(node)") }
            path.append(node)
            next = nodes[node]?.parent.flatMap { nodes[$0] == nil ? nil : $0 }
        }
        var depth = next.flatMap { depths[$0] } ?? -1
        var time = next.flatMap { times[$0] } ?? conversationTime
        for node in path.reversed() {
            depth += 1
            time = nodes[node]?.time ?? time
            depths[node] = depth
            times[node] = time
        }
    }
}
